import type { PaymentProvider } from './provider';
import { TestPaymentProvider } from './test-provider';

export * from './provider';
export { TestPaymentProvider, type TestPayment, type TestPaymentState } from './test-provider';

/** The adapter a deployment's PAYMENT_PROVIDER names. */
export function openPaymentProvider(config: { PAYMENT_PROVIDER: 'test' }): PaymentProvider {
  switch (config.PAYMENT_PROVIDER) {
    case 'test':
      return new TestPaymentProvider();
  }
}
