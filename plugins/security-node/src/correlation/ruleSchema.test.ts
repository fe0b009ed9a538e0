import { CorrelationRuleError, parseCorrelationRules } from './ruleSchema';
import { SEED_RULES, seedRules } from './seedRules';

function issuesOf(input: unknown): string[] {
  try {
    parseCorrelationRules(input);
  } catch (error) {
    expect(error).toBeInstanceOf(CorrelationRuleError);
    return (error as CorrelationRuleError).issues;
  }
  throw new Error('expected the rules to be rejected');
}

describe('parseCorrelationRules', () => {
  it('accepts the seed rules', () => {
    expect(parseCorrelationRules(SEED_RULES)).toEqual(SEED_RULES);
    expect(seedRules({ timezone: 'America/New_York' })[1].timeOfDay).toEqual({
      from: '22:00',
      to: '06:00',
      timezone: 'America/New_York',
    });
  });

  it('names each bad field', () => {
    const [rule] = SEED_RULES;
    expect(
      issuesOf([
        { ...rule, windowSeconds: 0 },
        { ...rule, id: 'b', threshold: 1.5, groupBy: 'source ip' },
        {
          ...rule,
          id: 'c',
          timeOfDay: { from: '24:00', to: '06:00', timezone: 'Mars/Olympus' },
        },
        { ...rule, id: 'd', match: { any: [{ field: 'event.action' }] } },
      ]),
    ).toEqual([
      'rules.0.windowSeconds: Number must be greater than 0',
      'rules.1.groupBy: must be a dotted field path',
      'rules.1.threshold: Expected integer, received float',
      'rules.2.timeOfDay.from: must be HH:mm (00:00–23:59)',
      'rules.2.timeOfDay.timezone: must be an IANA time zone, e.g. Europe/Berlin',
      expect.stringMatching(/^rules\.3\.match/),
    ]);
  });

  it('rejects unknown keys and duplicate ids', () => {
    const [rule] = SEED_RULES;
    expect(issuesOf([{ ...rule, treshold: 5 }])).toEqual([
      "rules.0: Unrecognized key(s) in object: 'treshold'",
    ]);
    expect(issuesOf([rule, rule])).toEqual([
      'rules.1.id: duplicate rule id brute-force',
    ]);
  });
});
