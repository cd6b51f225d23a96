package runnerguard;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed records on the JVM's own stderr (file descriptor 2, FileDescriptor.err, not System.err, which Surefire and
 * the code under test can replace; in a forked Surefire JVM the System.out Surefire installed, see channel()). The
 * runner keeps every line that starts with PREFIX apart from the capped log, so other output cannot push them out of
 * what it reads. A record is one line, `@@runnerguard <seq> <base64 JSON> <hex HMAC-SHA256(key, "<seq>:<base64>")>`,
 * written with a newline before and after in a single write, so a partial line of the student's cannot absorb it.
 * The key comes from a file the runner wrote for this run only; it is read and deleted at the first launcher session,
 * before any student code runs, so the code under test can neither read it nor sign records of its own.
 * Record 1 is always `open` (the number of fingerprinted class files and a digest over them) and records 2.. are the
 * fingerprints themselves (`classes`), in chunks of at most CHUNK_CHARS, so that no line is large however many
 * classes there are; the runner checks the count and the digest.
 */
final class Records {
  static final String PREFIX = "@@runnerguard";
  private static final int MAX_CLASS_FILES = 5000;
  /** Characters of fingerprints in one `classes` record (at least one entry each). */
  private static final int CHUNK_CHARS = 32 * 1024;
  private static byte[] key;
  private static OutputStream out;
  private static long seq;
  private static boolean opened;

  private Records() {}

  static synchronized boolean active() {
    return key != null;
  }

  /** Once per JVM: take the key, then fingerprint the compiled classes as they are before any test runs. */
  static synchronized void open() {
    if (opened) return;
    opened = true;
    String keyFile = System.getenv("RUNNER_GUARD_KEY_FILE");
    if (keyFile == null || keyFile.isEmpty()) return;
    Path path = Paths.get(keyFile);
    byte[] secret;
    try {
      secret = hex(new String(Files.readAllBytes(path), StandardCharsets.US_ASCII).trim());
      Files.delete(path);
    } catch (IOException | IllegalArgumentException e) {
      // Another JVM of this run took it (a second fork), or it is unreadable: this JVM vouches for nothing.
      return;
    }
    key = secret;
    out = channel();
    List<String[]> classes = new ArrayList<>();
    Path root = Paths.get(System.getProperty("user.dir"));
    for (String dir : new String[] {"target/classes", "target/test-classes"}) fingerprint(root, root.resolve(dir), classes);
    classes.sort((a, b) -> a[0].compareTo(b[0]));
    String digest;
    try {
      // Over the entries in the order they are sent: "<path>\n<hash>\n" each.
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String[] c : classes) sha.update((c[0] + "\n" + c[1] + "\n").getBytes(StandardCharsets.UTF_8));
      digest = toHex(sha.digest());
    } catch (GeneralSecurityException e) {
      digest = "!" + e;
    }
    emit(Json.object().put("type", "open").put("files", classes.size()).put("digest", digest));
    Json chunk = Json.object();
    int chars = 0;
    for (String[] c : classes) {
      if (chars > 0 && chars + c[0].length() + c[1].length() > CHUNK_CHARS) {
        emit(Json.object().put("type", "classes").put("classes", chunk));
        chunk = Json.object();
        chars = 0;
      }
      chunk.put(c[0], c[1]);
      chars += c[0].length() + c[1].length() + 6;
    }
    if (chars > 0) emit(Json.object().put("type", "classes").put("classes", chunk));
  }

  /**
   * Maven's own JVM (forkCount=0, what the runner sets): the process's stderr, which neither Surefire's capture nor a
   * System.setErr of the code under test sits on. A forked Surefire JVM sends its native streams to a dump file, so
   * there the records go through the System.out Surefire installed before the tests (this reference, taken now, is
   * not affected by a later System.setOut), which Maven prints as the test's output.
   */
  private static OutputStream channel() {
    String command = System.getProperty("sun.java.command", "");
    boolean forked = command.contains("surefirebooter") || command.contains("ForkedBooter");
    return forked ? System.out : new FileOutputStream(FileDescriptor.err);
  }

  private static void fingerprint(Path root, Path dir, List<String[]> into) {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(p -> p.toString().endsWith(".class") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .limit(MAX_CLASS_FILES)
          .forEach(files::add);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Path file : files) {
        into.add(new String[] {root.relativize(file).toString().replace('\\', '/'), toHex(sha.digest(Files.readAllBytes(file)))});
      }
    } catch (IOException | GeneralSecurityException e) {
      into.add(new String[] {"!error", e.toString()});
    }
  }

  static synchronized void emit(Json record) {
    if (key == null) return;
    try {
      seq++;
      String body = Base64.getEncoder().encodeToString(record.toString().getBytes(StandardCharsets.UTF_8));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      String signature = toHex(mac.doFinal((seq + ":" + body).getBytes(StandardCharsets.US_ASCII)));
      out.write(("\n" + PREFIX + " " + seq + " " + body + " " + signature + "\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException | GeneralSecurityException e) {
      // Nothing to report to: the runner sees the gap in the sequence.
    }
  }

  private static byte[] hex(String text) {
    if (text.length() != 64) throw new IllegalArgumentException("key length");
    byte[] bytes = new byte[32];
    for (int i = 0; i < 32; i++) bytes[i] = (byte) Integer.parseInt(text.substring(2 * i, 2 * i + 2), 16);
    return bytes;
  }

  private static String toHex(byte[] bytes) {
    StringBuilder s = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) s.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    return s.toString();
  }
}
