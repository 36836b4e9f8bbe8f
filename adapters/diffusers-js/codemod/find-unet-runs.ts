import type { CallExpression, Node, ObjectLiteralExpression, Project, SourceFile } from "ts-morph";
import { ErrorCode, InstantIdError } from "../../../core/index.js";

/** A `session.run(feeds)` call whose feeds look like a UNet's (they name `sample` and `encoder_hidden_states`). */
export interface UnetRunCall {
  readonly file: string;
  readonly line: number;
  /** The session expression, e.g. `unet` or `this.unet`. */
  readonly session: string;
}

/** The one-line change that wraps a session where it is created. */
export interface WrapEdit {
  readonly file: string;
  readonly line: number;
  readonly before: string;
  readonly after: string;
  /** The run() calls this edit serves. */
  readonly calls: readonly UnetRunCall[];
}

/** What the codemod found: edits it can make, and calls whose session it could not trace. */
export interface WrapSessionPlan {
  readonly edits: readonly WrapEdit[];
  readonly untraced: readonly UnetRunCall[];
}

/** The import the edits rely on. */
export const WRAP_IMPORT = `import { wrapUnetSession } from "instantid/diffusers-js";`;
const HOOKS_PLACEHOLDER = "{ hooks: [] /* TODO(instantid): add the InstantID hooks */ }";
const UNET_FEEDS = ["sample", "encoder_hidden_states"];

type TsMorph = typeof import("ts-morph");

async function loadTsMorph(): Promise<TsMorph> {
  try {
    return await import("ts-morph");
  } catch (error) {
    throw new InstantIdError(
      ErrorCode.Internal,
      "The wrap-session codemod needs ts-morph: install it with `npm install --save-dev ts-morph` and run again.",
      { cause: error },
    );
  }
}

/** Opens every TS/JS source under `dir` (not node_modules, dist or .d.ts). */
export async function openProject(dir: string): Promise<{ project: Project; morph: TsMorph }> {
  const morph = await loadTsMorph();
  const project = new morph.Project({
    compilerOptions: { allowJs: true, checkJs: false, noLib: true },
    skipAddingFilesFromTsConfig: true,
    // Tracing local declarations needs no lib.d.ts; skipping it keeps the codemod fast.
    skipLoadingLibFiles: true,
  });
  project.addSourceFilesAtPaths([
    `${dir}/**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}`,
    `!${dir}/**/node_modules/**`,
    `!${dir}/**/dist/**`,
    `!${dir}/**/*.d.ts`,
  ]);
  return { project, morph };
}

function feedsObject(morph: TsMorph, argument: Node | undefined): ObjectLiteralExpression | undefined {
  if (!argument) return undefined;
  if (morph.Node.isObjectLiteralExpression(argument)) return argument;
  if (!morph.Node.isIdentifier(argument)) return undefined;
  for (const declaration of argument.getSymbol()?.getDeclarations() ?? []) {
    const init = morph.Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined;
    if (init && morph.Node.isObjectLiteralExpression(init)) return init;
  }
  return undefined;
}

function isUnetRun(morph: TsMorph, call: CallExpression): boolean {
  const callee = call.getExpression();
  if (!morph.Node.isPropertyAccessExpression(callee) || callee.getName() !== "run") return false;
  const feeds = feedsObject(morph, call.getArguments()[0]);
  const names = new Set(
    (feeds?.getProperties() ?? []).map((p) =>
      morph.Node.isPropertyAssignment(p) || morph.Node.isShorthandPropertyAssignment(p) ? p.getName().replace(/^["']|["']$/g, "") : "",
    ),
  );
  return UNET_FEEDS.every((name) => names.has(name));
}

/** Every UNet-style `x.run(feeds)` call in the project. */
export function findUnetRunCalls(morph: TsMorph, project: Project): UnetRunCall[] {
  return project.getSourceFiles().flatMap((file) =>
    file
      .getDescendantsOfKind(morph.SyntaxKind.CallExpression)
      .filter((call) => isUnetRun(morph, call))
      .map((call) => ({
        file: file.getFilePath(),
        line: call.getStartLineNumber(),
        session: (call.getExpression() as import("ts-morph").PropertyAccessExpression).getExpression().getText(),
      })),
  );
}

/** Where the session of a run() call gets its value: a variable's initializer or an assignment `this.unet = …`. */
function sessionSource(morph: TsMorph, file: SourceFile, call: UnetRunCall): Node | undefined {
  const calls = file
    .getDescendantsOfKind(morph.SyntaxKind.CallExpression)
    .filter((c) => c.getStartLineNumber() === call.line && isUnetRun(morph, c));
  const receiver = calls.length > 0 ? (calls[0].getExpression() as import("ts-morph").PropertyAccessExpression).getExpression() : undefined;
  if (receiver && morph.Node.isIdentifier(receiver)) {
    for (const declaration of receiver.getSymbol()?.getDeclarations() ?? []) {
      if (morph.Node.isVariableDeclaration(declaration) && declaration.getInitializer()) return declaration.getInitializer();
    }
  }
  for (const assignment of file.getDescendantsOfKind(morph.SyntaxKind.BinaryExpression)) {
    if (assignment.getOperatorToken().getKind() === morph.SyntaxKind.EqualsToken && assignment.getLeft().getText() === call.session)
      return assignment.getRight();
  }
  for (const property of file.getDescendantsOfKind(morph.SyntaxKind.PropertyDeclaration)) {
    if (`this.${property.getName()}` === call.session && property.getInitializer()) return property.getInitializer();
  }
  return undefined;
}

/** Plans (and with `apply`, makes and saves) the change that wraps each UNet session where it is created. */
export async function wrapSessionEdits(dir: string, options: { apply?: boolean } = {}): Promise<WrapSessionPlan> {
  const { project, morph } = await openProject(dir);
  const calls = findUnetRunCalls(morph, project);
  const bySource = new Map<Node, UnetRunCall[]>();
  const untraced: UnetRunCall[] = [];
  for (const call of calls) {
    const source = sessionSource(morph, project.getSourceFileOrThrow(call.file), call);
    if (!source) untraced.push(call);
    else if (!source.getText().startsWith("wrapUnetSession(")) bySource.set(source, [...(bySource.get(source) ?? []), call]);
  }
  const edits: WrapEdit[] = [...bySource].map(([source, served]) => {
    const lineText = source.getSourceFile().getFullText().split("\n")[source.getStartLineNumber() - 1];
    return {
      file: source.getSourceFile().getFilePath(),
      line: source.getStartLineNumber(),
      before: lineText,
      after: lineText.replace(source.getText(), `wrapUnetSession(${source.getText()}, ${HOOKS_PLACEHOLDER})`),
      calls: served,
    };
  });
  if (options.apply) await applyEdits(project, [...bySource.keys()]);
  return { edits, untraced };
}

async function applyEdits(project: Project, sources: Node[]): Promise<void> {
  const files = new Set<SourceFile>();
  for (const source of sources) {
    files.add(source.getSourceFile());
    source.replaceWithText(`wrapUnetSession(${source.getText()}, ${HOOKS_PLACEHOLDER})`);
  }
  for (const file of files) {
    if (!file.getFullText().includes("wrapUnetSession } from")) file.insertStatements(0, WRAP_IMPORT);
  }
  await project.save();
}
