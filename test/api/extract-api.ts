import { Project, type ClassMemberTypes, type ExportedDeclarations, Node } from "ts-morph";

/** One exported symbol of the public entry point, as the API report lists it. */
export interface ApiEntry {
  readonly name: string;
  readonly kind: string;
  readonly signature: string;
  readonly doc: string;
  readonly file: string;
}

function docOf(declaration: ExportedDeclarations): string {
  const target = Node.isVariableDeclaration(declaration) ? declaration.getVariableStatement() : declaration;
  if (target && Node.isJSDocable(target)) {
    return target
      .getJsDocs()
      .map((doc) => doc.getDescription().trim())
      .filter(Boolean)
      .join("\n");
  }
  return "";
}

function memberSignature(member: ClassMemberTypes): string {
  const flat = (text: string) => text.replace(/\s+/g, " ").trim();
  const modifiers = Node.isModifierable(member)
    ? member
        .getModifiers()
        .map((m) => m.getText())
        .join(" ")
    : "";
  const prefix = modifiers ? `${modifiers} ` : "";
  const params = (m: { getParameters(): { getText(): string }[] }) =>
    m
      .getParameters()
      .map((p) => flat(p.getText()))
      .join(", ");
  if (Node.isMethodDeclaration(member))
    return `${prefix}${member.getName()}(${params(member)}): ${flat(member.getReturnType().getText(member))}`;
  if (Node.isConstructorDeclaration(member)) return `constructor(${params(member)})`;
  if (Node.isGetAccessorDeclaration(member)) return `${prefix}get ${member.getName()}(): ${flat(member.getReturnType().getText(member))}`;
  if (Node.isPropertyDeclaration(member))
    return `${prefix}${member.getName()}${member.hasQuestionToken() ? "?" : ""}: ${flat(member.getType().getText(member))}`;
  return flat(member.getText().split("{")[0]);
}

function signatureOf(declaration: ExportedDeclarations): string {
  if (Node.isFunctionDeclaration(declaration)) {
    const params = declaration.getParameters().map((p) => p.getText().replace(/\s+/g, " "));
    return `function ${declaration.getName()}(${params.join(", ")}): ${declaration.getReturnType().getText(declaration)}`;
  }
  if (Node.isClassDeclaration(declaration)) {
    const members = declaration
      .getMembers()
      .filter((m) => !(Node.isModifierable(m) && (m.hasModifier("private") || m.hasModifier("protected"))))
      .map((m) => `  ${memberSignature(m)}`);
    return `class ${declaration.getName()} {\n${members.join("\n")}\n}`;
  }
  if (Node.isVariableDeclaration(declaration)) {
    return `const ${declaration.getName()}: ${declaration.getType().getText(declaration)}`;
  }
  return declaration
    .getText()
    .replace(/\/\*\*[\s\S]*?\*\//g, "")
    .split("\n")
    .filter((line) => line.trim())
    .join("\n");
}

/** Extracts every export of `entry` (names, signatures, doc comments), sorted by name. */
export function extractApi(entry: string, tsconfig: string): ApiEntry[] {
  return extractApis([entry], tsconfig)[0];
}

/**
 * {@link extractApi} for several entries over one ts-morph project: the files they share are parsed
 * and type-checked once instead of once per entry (each project load reads the whole source tree).
 */
export function extractApis(entryPaths: readonly string[], tsconfig: string): ApiEntry[][] {
  const project = new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true });
  const sources = entryPaths.map((entry) => project.addSourceFileAtPath(entry));
  project.resolveSourceFileDependencies();
  const root = `${project.getFileSystem().getCurrentDirectory()}/`;
  return sources.map((source) => {
    const entries: ApiEntry[] = [];
    for (const [name, declarations] of source.getExportedDeclarations()) {
      for (const declaration of declarations) {
        entries.push({
          name,
          kind: declaration.getKindName(),
          signature: signatureOf(declaration),
          doc: docOf(declaration),
          file: declaration.getSourceFile().getFilePath().replace(root, ""),
        });
      }
    }
    return entries.sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
  });
}

/** Renders the API report as Markdown: one section per export with its doc comment and signature. */
export function renderApiMarkdown(entries: readonly ApiEntry[]): string {
  const lines = [
    "# Public API",
    "",
    "Generated from `core/index.ts` by `npm run api`; a test fails when the exported API changes",
    "and this file was not regenerated, or when an export has no doc comment.",
    "",
  ];
  for (const entry of entries) {
    lines.push(`## ${entry.name}`, "", entry.doc || "(undocumented)", "", "```ts", entry.signature, "```", "");
  }
  return lines.join("\n");
}
