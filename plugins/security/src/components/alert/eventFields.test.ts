import { ecsValue, eventRow } from './eventFields';

describe('ecsValue', () => {
  it('reads nested ECS objects by dotted path', () => {
    const event = { http: { request: { method: 'POST' } } };
    expect(ecsValue(event, 'http.request.method')).toBe('POST');
  });

  it('reads dotted keys at any level', () => {
    const event = { 'event.action': 'login', user_agent: { name: 'curl' } };
    expect(ecsValue(event, 'event.action')).toBe('login');
    expect(ecsValue({ 'user_agent.name': 'curl' }, 'user_agent.name')).toBe(
      'curl',
    );
  });

  it('answers numbers and booleans as text, objects and absent paths as undefined', () => {
    const event = { http: { response: { status_code: 401 } }, a: { b: true } };
    expect(ecsValue(event, 'http.response.status_code')).toBe('401');
    expect(ecsValue(event, 'a.b')).toBe('true');
    expect(ecsValue(event, 'http.response')).toBeUndefined();
    expect(ecsValue(event, 'url.path')).toBeUndefined();
  });
});

describe('eventRow', () => {
  it('falls back to client.ip and user.id', () => {
    expect(
      eventRow({ client: { ip: '10.0.0.9' }, user: { id: 'u-1' } }),
    ).toMatchObject({ ip: '10.0.0.9', user: 'u-1' });
  });

  it('prefers source.ip and user.name', () => {
    expect(
      eventRow({
        source: { ip: '10.0.0.1' },
        client: { ip: '10.0.0.9' },
        user: { id: 'u-1', name: 'alice' },
      }),
    ).toMatchObject({ ip: '10.0.0.1', user: 'alice' });
  });
});
