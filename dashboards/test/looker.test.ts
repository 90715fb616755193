import { ANALYST_VIEWS, lookerStudioReportUrl, type LookerStudioReport } from '@shop/dashboards';

const report: LookerStudioReport = { project: 'acme-shop-prod', dataset: 'shop_analytics', reportName: 'Shop analytics', templateReportId: null };

/** The data sources of a Linking API URL, by alias: `ds.<alias>.<setting>` parameters. */
function dataSources(url: URL): Map<string, Record<string, string>> {
  const sources = new Map<string, Record<string, string>>();
  for (const [key, value] of url.searchParams) {
    const m = /^ds\.([^.]+)\.(\w+)$/.exec(key);
    if (!m?.[1] || !m[2]) continue;
    sources.set(m[1], { ...sources.get(m[1]), [m[2]]: value });
  }
  return sources;
}

describe('lookerStudioReportUrl', () => {
  it('is a Linking API create URL with one BigQuery data source per analyst view', () => {
    const url = new URL(lookerStudioReportUrl(report));
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('lookerstudio.google.com');
    expect(url.pathname).toBe('/reporting/create');
    expect(url.searchParams.get('r.reportName')).toBe('Shop analytics');
    const sources = dataSources(url);
    expect([...sources.keys()].sort()).toEqual(ANALYST_VIEWS.map((v) => v.name).sort());
    for (const view of ANALYST_VIEWS) {
      expect(sources.get(view.name)).toEqual({
        connector: 'bigQuery',
        type: 'TABLE',
        projectId: 'acme-shop-prod',
        datasetId: 'shop_analytics',
        tableId: view.name,
        datasourceName: view.name,
      });
    }
    // Only Linking API parameters: control (c.), report (r.) and data source (ds.).
    for (const key of url.searchParams.keys()) expect(key).toMatch(/^(c|r|ds)\./);
  });

  it('copies the template report only when one is given', () => {
    expect(new URL(lookerStudioReportUrl(report)).searchParams.has('c.reportId')).toBe(false);
    const copied = new URL(lookerStudioReportUrl({ ...report, templateReportId: '1a2b3c4d-5e6f-7a8b-9c0d-ef1234567890' }));
    expect(copied.searchParams.getAll('c.reportId')).toEqual(['1a2b3c4d-5e6f-7a8b-9c0d-ef1234567890']);
    expect(dataSources(copied).size).toBe(ANALYST_VIEWS.length);
  });

  it('encodes special characters of the report name', () => {
    const name = 'Shop & Co: sales/stock #1 = 100% ?';
    const raw = lookerStudioReportUrl({ ...report, reportName: name });
    expect(new URL(raw).searchParams.get('r.reportName')).toBe(name);
    const query = raw.slice(raw.indexOf('?') + 1);
    const nameParam = query.split('&').find((p) => p.startsWith('r.reportName='));
    expect(nameParam).toBe('r.reportName=Shop+%26+Co%3A+sales%2Fstock+%231+%3D+100%25+%3F');
    // The name's & and # must not start a parameter or a fragment.
    expect(new URL(raw).hash).toBe('');
    expect(query.split('&').filter((p) => !/^(c|r|ds)\./.test(p))).toEqual([]);
  });
});
