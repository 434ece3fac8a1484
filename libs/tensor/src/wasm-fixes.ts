/** Kernel fixes that make the wasm backend usable for training (filled in below). */
export function installWasmFixes(): void {}
