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

/** A Java source's text without its comments and string literals (good enough for the two questions below). */
function codeOf(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  return readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"/g, " ");
}

/** Whether a Java source declares a type of that simple name. */
function declares(file: string, simpleName: string): boolean {
  const code = codeOf(file);
  // Java names may hold a $: "Provided" must not match "class Provided$Sneaky".
  return code !== undefined && new RegExp(`\\b(class|interface|enum|record)\\s+${simpleName.replace(/[^\w]/g, "")}(?![\\w$])`).test(code);
}

/** Whether a Java source declares that package (internal form, `dev/dummy`). */
function inPackage(file: string, pkg: string): boolean {
  const declared = /^\s*package\s+([\w.]+)\s*;/m.exec(codeOf(file) ?? "")?.[1] ?? "";
  return declared.replaceAll(".", "/") === (pkg === "." ? "" : pkg);
}

/**
 * The student source a class was compiled from: its package folder plus its SourceFile attribute, under the
 * source root matching its class folder; else the one student source of that file name (a file whose folder
 * does not match its package). Undefined for classes of the template's sources.
 */
export function sourceOf(info: ClassInfo, classFile: string, javaSources: string[], workspace?: string): string | undefined {
  const pkg = path.posix.dirname(info.name);
  const simple = info.name.split("/").at(-1) ?? "";
  const outer = simple.split("$")[0] ?? "";
  const sourceFile = info.sourceFile ?? `${outer}.java`;
  const rel = pkg === "." ? sourceFile : `${pkg}/${sourceFile}`;
  const dir = CLASS_DIRS.find((d) => classFile.startsWith(d.classes));
  if (dir && javaSources.includes(dir.sources + rel)) return dir.sources + rel;
  // The template's own source of that name and package, if it declares every part of the class's name (Provided$Inner:
  // Provided and Inner): the instructor's, unless a student source of that file name, compiled into the same package
  // from another folder (a class Sneaky in their own Provided.java), declares it too: then it is theirs, and checked.
  if (dir && workspace && simple.split("$").every((part) => /^\d+$/.test(part) || declares(path.join(workspace, dir.sources + rel), part))) {
    return javaSources.find((s) => path.posix.basename(s) === sourceFile && inPackage(path.join(workspace, s), pkg) && declares(path.join(workspace, s), outer));
  }
  const byName = javaSources.filter((s) => path.posix.basename(s) === sourceFile && (!dir || s.startsWith(dir.sources)));
  return byName.length === 1 ? byName[0] : undefined;
}
