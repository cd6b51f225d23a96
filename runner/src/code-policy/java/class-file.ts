/**
 * A reader for the parts of a Java class file the code policy needs: the constant pool's class and member
 * references, the class's own name, super class and interfaces, its SourceFile, and the classes its InnerClasses
 * attribute lists (javac puts `MethodHandles$Lookup` there for every lambda, which is no use of the API).
 * Class files here come from javac run on the student's sources, but the reader still treats them as hostile:
 * every read is bounds-checked and a malformed file throws ClassFileError.
 */

export class ClassFileError extends Error {}

export interface MemberRef {
  kind: "field" | "method";
  /** Internal name of the owner (`java/lang/Runtime`); arrays are left out. */
  owner: string;
  name: string;
  descriptor: string;
}

export interface ClassInfo {
  /** Internal name (`dev/dummy/BankAccount$1`). */
  name: string;
  superName: string | null;
  interfaces: string[];
  /** The SourceFile attribute (`BankAccount.java`), null when compiled without it. */
  sourceFile: string | null;
  /** Every CONSTANT_Class, array element types resolved, arrays of primitives left out. */
  classRefs: string[];
  /** Classes named by the InnerClasses attribute, as inner or outer class. */
  innerClassEntries: string[];
  memberRefs: MemberRef[];
}

const MAGIC = 0xcafebabe;

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new ClassFileError(`truncated at byte ${this.pos}`);
  }
  u1(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }
  u2(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u4(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}

type Entry =
  | { tag: 1; text: string }
  | { tag: 7; name: number }
  | { tag: 9 | 10 | 11; owner: number; nameAndType: number }
  | { tag: 12; name: number; descriptor: number }
  | { tag: 0 };

/** Modified UTF-8 differs from UTF-8 only for NUL and supplementary characters, neither of which matters to names. */
function utf8(bytes: Buffer): string {
  return bytes.toString("utf8");
}

function readPool(r: Reader): Entry[] {
  const count = r.u2();
  const pool: Entry[] = [{ tag: 0 }];
  for (let i = 1; i < count; i++) {
    const tag = r.u1();
    switch (tag) {
      case 1:
        pool.push({ tag: 1, text: utf8(r.bytes(r.u2())) });
        break;
      case 7:
        pool.push({ tag: 7, name: r.u2() });
        break;
      case 9:
      case 10:
      case 11:
        pool.push({ tag, owner: r.u2(), nameAndType: r.u2() });
        break;
      case 12:
        pool.push({ tag: 12, name: r.u2(), descriptor: r.u2() });
        break;
      case 3: case 4: case 17: case 18: // Integer, Float, Dynamic, InvokeDynamic
        r.skip(4);
        pool.push({ tag: 0 });
        break;
      case 5: case 6: // Long, Double take two slots
        r.skip(8);
        pool.push({ tag: 0 }, { tag: 0 });
        i++;
        break;
      case 8: case 16: case 19: case 20: // String, MethodType, Module, Package
        r.skip(2);
        pool.push({ tag: 0 });
        break;
      case 15: // MethodHandle: its target is a member ref already in the pool
        r.skip(3);
        pool.push({ tag: 0 });
        break;
      default:
        throw new ClassFileError(`unknown constant pool tag ${tag} at entry ${i}`);
    }
  }
  return pool;
}

/** `[[Ljava/lang/Thread;` -> `java/lang/Thread`; `[I` -> null. */
export function elementClass(name: string): string | null {
  if (!name.startsWith("[")) return name;
  const m = /^\[+L(.+);$/.exec(name);
  return m ? (m[1] ?? null) : null;
}

export function parseClassFile(buf: Buffer): ClassInfo {
  const r = new Reader(buf);
  if (r.u4() !== MAGIC) throw new ClassFileError("not a class file");
  r.skip(4); // minor, major
  const pool = readPool(r);
  const text = (index: number): string => {
    const e = pool[index];
    if (!e || e.tag !== 1) throw new ClassFileError(`entry ${index} is not Utf8`);
    return e.text;
  };
  const className = (index: number): string => {
    const e = pool[index];
    if (!e || e.tag !== 7) throw new ClassFileError(`entry ${index} is not a Class`);
    return text(e.name);
  };
  r.skip(2); // access flags
  const name = className(r.u2());
  const superIndex = r.u2();
  const superName = superIndex === 0 ? null : className(superIndex);
  const interfaces: string[] = [];
  for (let n = r.u2(); n > 0; n--) interfaces.push(className(r.u2()));
  for (let members = 0; members < 2; members++) {
    for (let n = r.u2(); n > 0; n--) {
      r.skip(6);
      for (let a = r.u2(); a > 0; a--) {
        r.skip(2);
        r.skip(r.u4());
      }
    }
  }
  let sourceFile: string | null = null;
  const innerClassEntries: string[] = [];
  for (let a = r.u2(); a > 0; a--) {
    const attr = text(r.u2());
    const length = r.u4();
    const body = new Reader(r.bytes(length));
    if (attr === "SourceFile") sourceFile = text(body.u2());
    if (attr === "InnerClasses") {
      for (let n = body.u2(); n > 0; n--) {
        const inner = body.u2();
        const outer = body.u2();
        body.skip(4);
        innerClassEntries.push(className(inner));
        if (outer !== 0) innerClassEntries.push(className(outer));
      }
    }
  }
  const classRefs: string[] = [];
  const memberRefs: MemberRef[] = [];
  for (const e of pool) {
    if (e.tag === 7) {
      const element = elementClass(text(e.name));
      if (element) classRefs.push(element);
    } else if (e.tag === 9 || e.tag === 10 || e.tag === 11) {
      const owner = elementClass(className(e.owner));
      const nt = pool[e.nameAndType];
      if (!nt || nt.tag !== 12) throw new ClassFileError("member ref without NameAndType");
      if (owner) memberRefs.push({ kind: e.tag === 9 ? "field" : "method", owner, name: text(nt.name), descriptor: text(nt.descriptor) });
    }
  }
  return { name, superName, interfaces, sourceFile, classRefs, innerClassEntries, memberRefs };
}
