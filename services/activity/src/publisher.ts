import { TOPICS } from '@shop/contracts';
import { problems, type BusMessage, type EventBus, type Logger } from '@shop/kit';

export interface ActivityPublisher {
  /** Resolves once Pub/Sub accepted every message; a 503 problem otherwise, so the sender retries. */
  publish(messages: BusMessage[]): Promise<void>;
}

/**
 * Publishes straight to activity-events: the service keeps no state, so the caller hears of a
 * failure and sends again (with the same event ids). The Pub/Sub client batches concurrent
 * requests' messages into one publish call.
 */
export function busPublisher(bus: EventBus, logger: Logger): ActivityPublisher {
  return {
    publish: async (messages) => {
      try {
        await bus.publish(TOPICS.activity, messages);
      } catch (err) {
        logger.warn({ err, messages: messages.length }, 'activity events not accepted by Pub/Sub');
        throw problems.unavailable('events-unavailable', 'Activity could not be recorded right now; send it again');
      }
    },
  };
}
