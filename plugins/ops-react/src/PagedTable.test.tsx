import { renderInTestApp } from '@backstage/test-utils';
import { TableColumn } from '@backstage/core-components';
import { fireEvent, screen } from '@testing-library/react';
import { Page } from './OpsApiClient';
import { PagedTable } from './PagedTable';

interface Row {
  id: string;
  name: string;
}

const columns: TableColumn<Row>[] = [
  { title: 'Id', field: 'id' },
  { title: 'Name', field: 'name' },
];

function page(items: Row[], totalCount: number, offset = 0): Page<Row> {
  return { items, totalCount, limit: 25, offset };
}

const firstPage = Array.from({ length: 25 }, (_, i) => ({
  id: `row-${i + 1}`,
  name: `Row number ${i + 1}`,
}));

describe('PagedTable', () => {
  it('shows the rows of the first page and the server total in the pagination', async () => {
    const load = jest.fn().mockResolvedValue(page(firstPage, 60));

    await renderInTestApp(
      <PagedTable
        title="Things"
        columns={columns}
        load={load}
        emptyContent="Nothing here"
      />,
    );

    expect(await screen.findByText('Row number 1')).toBeInTheDocument();
    expect(screen.getByText('Row number 25')).toBeInTheDocument();
    expect(screen.getByText('1-25 of 60')).toBeInTheDocument();
    expect(load).toHaveBeenCalledTimes(1);
    expect(load).toHaveBeenCalledWith({ limit: 25, offset: 0 });
    expect(screen.queryByText('Nothing here')).not.toBeInTheDocument();
  });

  it('asks the server for offset 25 when the next-page button is clicked', async () => {
    const load = jest
      .fn()
      .mockImplementation(({ offset }: { offset: number }) =>
        Promise.resolve(
          offset === 0
            ? page(firstPage, 60)
            : page([{ id: 'row-26', name: 'Row number 26' }], 60, offset),
        ),
      );

    await renderInTestApp(
      <PagedTable
        title="Things"
        columns={columns}
        load={load}
        emptyContent="Nothing here"
      />,
    );
    await screen.findByText('Row number 1');

    fireEvent.click(screen.getByRole('button', { name: /next page/i }));

    expect(await screen.findByText('Row number 26')).toBeInTheDocument();
    expect(load).toHaveBeenLastCalledWith({ limit: 25, offset: 25 });
    expect(screen.queryByText('Row number 1')).not.toBeInTheDocument();
    expect(screen.getByText('26-50 of 60')).toBeInTheDocument();
  });

  it('shows the empty content when the server total is 0', async () => {
    const load = jest.fn().mockResolvedValue(page([], 0));

    await renderInTestApp(
      <PagedTable
        title="Things"
        columns={columns}
        load={load}
        emptyContent={<span>Nothing here yet</span>}
      />,
    );

    expect(await screen.findByText('Nothing here yet')).toBeInTheDocument();
    expect(screen.getByText('0-0 of 0')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /next page/i })).toBeDisabled();
  });

  it('shows an error panel when load rejects', async () => {
    const load = jest.fn().mockRejectedValue(new Error('backend is down'));

    await renderInTestApp(
      <PagedTable
        title="Things"
        columns={columns}
        load={load}
        emptyContent="Nothing here"
      />,
    );

    expect(
      await screen.findByText(/Could not load things/),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/backend is down/).length).toBeGreaterThan(0);
    expect(screen.queryByText('Nothing here')).not.toBeInTheDocument();
  });
});
