import ts from "typescript";
const file = process.argv[2] ?? "src/index.ts";
const cfg = ts.getParsedCommandLineOfConfigFile("tsconfig.json", {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const program = ts.createProgram([file], { ...cfg.options, noEmit: true });
const checker = program.getTypeChecker();
const sf = program.getSourceFile(file);
const mod = checker.getSymbolAtLocation(sf);
for (const s of checker.getExportsOfModule(mod)) {
  let t = s; if (t.flags & ts.SymbolFlags.Alias) t = checker.getAliasedSymbol(t);
  const isValue = (t.flags & ts.SymbolFlags.Value) !== 0;
  const decl = t.declarations?.[0]?.getSourceFile().fileName.replace(process.cwd()+"/","");
  console.log((isValue ? "value" : "type ") + " " + s.name + " " + decl);
}
