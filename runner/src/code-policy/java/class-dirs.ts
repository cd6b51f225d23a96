import { existsSync, lstatSync, opendirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ClassInfo } from "./class-file";

/** Where Maven compiles each source root to. */
export const CLASS_DIRS = [
  { sources: "src/main/java/", classes: "target/classes/" },
  { sources: "src/test/java/", classes: "target/test-classes/" },
] as const;

/** Beyond this a compiled tree is not a solution; the rest is not read (the guard fingerprints as many). */
const MAX_CLASS_FILES = 5000;

/** Every regular `.class` file under the class folders, relative to the workspace; symlinks are not followed. */
export function listClassFiles(workspace: string): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    let dir;
    try {
      dir = opendirSync(path.join(workspace, rel));
    } catch {
      return;
    }
    try {
      for (let entry = dir.readSync(); entry && found.length < MAX_CLASS_FILES; entry = dir.readSync()) {
        const child = `${rel}/${entry.name}`;
        if (entry.isDirectory()) walk(child);
        else if (entry.isFile() && entry.name.endsWith(".class")) found.push(child);
      }
    } finally {
      dir.closeSync();
    }
  };
  for (const { classes } of CLASS_DIRS) {
    const root = classes.slice(0, -1);
    if (lstatSync(path.join(workspace, root), { throwIfNoEntry: false })?.isDirectory()) walk(root);
  }
  return found.sort();
}

/** Whether a Java source (read as text) declares a top-level or nested type of that simple name. */
function declares(file: string, simpleName: string): boolean {
  if (!existsSync(file)) return false;
  const escaped = simpleName.replace(/[^\w$]/g, "");
  return new RegExp(`\\b(class|interface|enum|record)\\s+${escaped.replace(/\$/g, "\\$")}\\b`).test(readFileSync(file, "utf8"));
}

/**
 * The student source a class was compiled from: its package folder plus its SourceFile attribute, under the
 * source root matching its class folder; else the one student source of that file name (a file whose folder
 * does not match its package). Undefined for classes of the template's sources.
 */
export function sourceOf(info: ClassInfo, classFile: string, javaSources: string[], workspace?: string): string | undefined {
  const pkg = path.posix.dirname(info.name);
  const outer = info.name.split("/").at(-1)?.split("$")[0] ?? "";
  const sourceFile = info.sourceFile ?? `${outer}.java`;
  const rel = pkg === "." ? sourceFile : `${pkg}/${sourceFile}`;
  const dir = CLASS_DIRS.find((d) => classFile.startsWith(d.classes));
  if (dir && javaSources.includes(dir.sources + rel)) return dir.sources + rel;
  // The template's own source of that name and package, if it declares the class: the instructor's. A student file
  // elsewhere that declares the template's package (a class Sneaky in their own Provided.java) is not it.
  if (dir && workspace && declares(path.join(workspace, dir.sources + rel), outer)) return undefined;
  const byName = javaSources.filter((s) => path.posix.basename(s) === sourceFile && (!dir || s.startsWith(dir.sources)));
  return byName.length === 1 ? byName[0] : undefined;
}
