export { createOrdersApp, ORDERS_MIGRATIONS_DIR, type OrdersDeps, type OrdersApp } from './app';
export { startOrdersService, type OrdersServiceDeps, type RunningOrders } from './service';
export { ordersConfigSchema, settingsFrom, PAYMENT_PROVIDERS, type OrdersConfig } from './config';
export { DEFAULT_ORDERS_SETTINGS, type OrdersSettings } from './settings';
export { openPaymentProvider, TestPaymentProvider, PaymentRejectedError, type PaymentProvider, type TestPayment } from './payments/index';
export { ORDER_TRANSITIONS, transition, IllegalTransition, type OrderAction } from './domain/order-states';
export { CATALOG_SUBSCRIPTION } from './operations/catalog-consumer';
