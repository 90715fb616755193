export { startShop, type Shop, type ShopOptions, type ShopPorts } from './shop';
export { startEdge, type EdgeOptions, type RunningEdge } from './edge';
