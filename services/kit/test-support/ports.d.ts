export function freePort(): Promise<number>;
export function portOpen(port: number): Promise<boolean>;
