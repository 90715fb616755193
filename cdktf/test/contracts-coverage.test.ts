import { SERVICE_LIST, SUBSCRIPTIONS, TOPICS, WAREHOUSE_TABLE_LIST, deadLetterTopic } from '@shop/contracts';
import { ANALYST_VIEWS } from '@shop/dashboards';
import { namesFor } from '../src/names';
import { DataStack, bigQuerySchema, deadLetterHold } from '../src/stacks/data';
import { IdentityStack } from '../src/stacks/identity';
import { environment, resourcesOf, synthesize, type Attributes, type Synthesized } from './support';

/** Names of every resource of a type, sorted, failing on duplicates. */
const namesOf = (s: Synthesized, type: string, key = 'name', filter: (r: Attributes) => boolean = () => true): string[] => {
  const all = resourcesOf(s, type).map(([, r]) => r).filter(filter).map((r) => String(r[key]));
  expect(new Set(all).size).toBe(all.length);
  return all.sort();
};
const sorted = (values: Iterable<string>): string[] => [...values].sort();

const topicNames = Object.values(TOPICS);
const subscriptionNamed = (s: Synthesized, name: string): Attributes => {
  const found = resourcesOf(s, 'google_pubsub_subscription').find(([, r]) => r.name === name);
  if (!found) throw new Error(`no subscription ${name}`);
  return found[1];
};
const databaseServices = SERVICE_LIST.filter((s) => s.database !== null);

describe.each(['dev', 'prod'] as const)('contracts coverage (%s)', (envName) => {
  const env = environment(envName);
  const names = namesFor(env);
  const s = synthesize(DataStack, envName);
  const topicOf = (ref: unknown): unknown => s.resource?.google_pubsub_topic?.[/^\$\{google_pubsub_topic\.([^.]+)\.id\}$/.exec(String(ref))?.[1] ?? '']?.name;

  it('creates exactly the contract topics and their dead-letter topics', () => {
    expect(namesOf(s, 'google_pubsub_topic')).toEqual(sorted([...topicNames, ...topicNames.map(deadLetterTopic)]));
  });

  it('creates exactly the contract subscriptions, plus one hold subscription per dead-letter topic', () => {
    expect(namesOf(s, 'google_pubsub_subscription')).toEqual(sorted([...SUBSCRIPTIONS.map((x) => x.name), ...topicNames.map(deadLetterHold)]));
    for (const spec of SUBSCRIPTIONS) {
      const sub = subscriptionNamed(s, spec.name);
      expect(topicOf(sub.topic)).toBe(spec.topic);
      expect(sub.filter ?? null).toBe(spec.filter);
      expect(sub.enable_message_ordering).toBe(spec.ordered);
      expect(sub.bigquery_config !== undefined).toBe(spec.consumer === 'bigquery');
    }
  });

  it('creates exactly the contract warehouse tables, with the contract schemas, and the analyst views', () => {
    const isView = (r: Attributes) => r.view !== undefined;
    expect(namesOf(s, 'google_bigquery_table', 'table_id', (r) => !isView(r))).toEqual(sorted(WAREHOUSE_TABLE_LIST.map((t) => t.name)));
    expect(namesOf(s, 'google_bigquery_table', 'table_id', isView)).toEqual(sorted(ANALYST_VIEWS.map((v) => v.name)));
    for (const table of WAREHOUSE_TABLE_LIST) {
      const resource = resourcesOf(s, 'google_bigquery_table').find(([, r]) => r.table_id === table.name)?.[1];
      expect(resource?.schema).toBe(bigQuerySchema(table));
    }
    expect(namesOf(s, 'google_bigquery_dataset', 'dataset_id')).toEqual([names.dataset]);
  });

  it('creates exactly one database and one IAM database user per service that has a database', () => {
    expect(namesOf(s, 'google_sql_database')).toEqual(sorted(databaseServices.map((svc) => svc.database ?? '')));
    expect(namesOf(synthesize(IdentityStack, envName), 'google_sql_user')).toEqual(sorted(databaseServices.map((svc) => names.workloadAccountEmail(svc.name).replace('.gserviceaccount.com', ''))));
    expect(databaseServices.length).toBeGreaterThan(0);
  });

  it('dead-letters each contract topic to the contract dead-letter name', () => {
    for (const spec of SUBSCRIPTIONS) {
      const policy = subscriptionNamed(s, spec.name).dead_letter_policy as Attributes | undefined;
      expect(topicOf(policy?.dead_letter_topic)).toBe(deadLetterTopic(spec.topic));
    }
  });
});
