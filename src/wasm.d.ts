/** Workers' bundlers (wrangler, the vitest pool) import a .wasm file as its compiled module. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
