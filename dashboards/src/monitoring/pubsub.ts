import { SUBSCRIPTIONS, TOPICS, deadLetterTopic, type SubscriptionSpec } from '@shop/contracts';
import type { MonitoringScope } from '../types';
import { charts, dashboard, header } from './layout';
import { aggregate, lineChart, markdown, metricFilter, type Widget } from './widgets';

const TOPIC = { 'resource.type': 'pubsub_topic' } as const;
const SUBSCRIPTION = { 'resource.type': 'pubsub_subscription' } as const;
const perTopic = ['resource.label.topic_id'];
const perSubscription = ['resource.label.subscription_id'];

const subscriptionIds = (subscriptions: readonly SubscriptionSpec[]): string[] => subscriptions.map((s) => s.name);

/** Backlog, age of the oldest unacked message and ack rate of every subscription of one topic. */
function subscriptionCharts(topic: string, subscriptions: readonly SubscriptionSpec[]): Widget[] {
  const where = { ...SUBSCRIPTION, 'resource.labels.subscription_id': subscriptionIds(subscriptions) };
  return [
    lineChart(`${topic}: undelivered messages per subscription`, 'messages', [
      {
        filter: metricFilter('pubsub.googleapis.com/subscription/num_undelivered_messages', where),
        aggregation: aggregate('ALIGN_MAX', 'REDUCE_SUM', perSubscription),
      },
    ]),
    lineChart(`${topic}: oldest unacked message age`, 's', [
      {
        filter: metricFilter('pubsub.googleapis.com/subscription/oldest_unacked_message_age', where),
        aggregation: aggregate('ALIGN_MAX', 'REDUCE_MAX', perSubscription),
      },
    ]),
    lineChart(`${topic}: acknowledged messages/s`, 'messages/s', [
      {
        filter: metricFilter('pubsub.googleapis.com/subscription/ack_message_count', where),
        aggregation: aggregate('ALIGN_RATE', 'REDUCE_SUM', perSubscription),
      },
    ]),
  ];
}

/** Publishing per topic, dead letters, then one row of subscription health per topic. */
export function pubsubDashboard(scope: MonitoringScope): Record<string, unknown> {
  const topics = Object.values(TOPICS);
  const overview = [
    lineChart('Published messages/s by topic', 'messages/s', [
      {
        filter: metricFilter('pubsub.googleapis.com/topic/send_message_operation_count', { ...TOPIC, 'resource.labels.topic_id': topics }),
        aggregation: aggregate('ALIGN_RATE', 'REDUCE_SUM', perTopic),
      },
    ]),
    lineChart(
      'Messages dead-lettered per minute, by dead-letter topic',
      'messages',
      [
        {
          filter: metricFilter('pubsub.googleapis.com/topic/send_message_operation_count', {
            ...TOPIC,
            'resource.labels.topic_id': topics.map(deadLetterTopic),
          }),
          aggregation: aggregate('ALIGN_DELTA', 'REDUCE_SUM', perTopic),
        },
      ],
      'STACKED_BAR',
    ),
    lineChart(
      'Messages dead-lettered per minute, by subscription that gave up',
      'messages',
      [
        {
          filter: metricFilter('pubsub.googleapis.com/subscription/dead_letter_message_count', {
            ...SUBSCRIPTION,
            'resource.labels.subscription_id': subscriptionIds(SUBSCRIPTIONS),
          }),
          aggregation: aggregate('ALIGN_DELTA', 'REDUCE_SUM', perSubscription),
        },
      ],
      'STACKED_BAR',
    ),
  ];
  const intro = markdown(
    'Pub/Sub',
    `Topics ${topics.map((t) => `**${t}**`).join(', ')}, each with a dead-letter topic \`<topic>-dlq\`. ` +
      'A growing backlog or oldest-unacked age means a consumer is behind or failing.',
  );
  return dashboard(`Shop Pub/Sub (${scope.env})`, [
    header(intro),
    charts(overview),
    ...topics.map((topic) => charts(subscriptionCharts(topic, SUBSCRIPTIONS.filter((s) => s.topic === topic)))),
  ]);
}
