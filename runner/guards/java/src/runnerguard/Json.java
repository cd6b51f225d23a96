package runnerguard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Just enough JSON to write the guard's records (no library may be assumed on the test classpath). */
final class Json {
  private final Map<String, Object> fields;
  private final List<Object> items;

  private Json(Map<String, Object> fields, List<Object> items) {
    this.fields = fields;
    this.items = items;
  }

  static Json object() {
    return new Json(new LinkedHashMap<>(), null);
  }

  static Json array() {
    return new Json(null, new ArrayList<>());
  }

  Json put(String name, Object value) {
    fields.put(name, value);
    return this;
  }

  Json add(Object value) {
    items.add(value);
    return this;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    write(s, this);
    return s.toString();
  }

  private static void write(StringBuilder s, Object value) {
    if (value instanceof Json) {
      Json json = (Json) value;
      if (json.items != null) {
        s.append('[');
        for (int i = 0; i < json.items.size(); i++) {
          if (i > 0) s.append(',');
          write(s, json.items.get(i));
        }
        s.append(']');
      } else {
        s.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : json.fields.entrySet()) {
          if (!first) s.append(',');
          first = false;
          write(s, e.getKey());
          s.append(':');
          write(s, e.getValue());
        }
        s.append('}');
      }
    } else if (value == null) {
      s.append("null");
    } else {
      string(s, value.toString());
    }
  }

  private static void string(StringBuilder s, String text) {
    s.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') s.append('\\').append(c);
      else if (c < 0x20 || c == 0x2028 || c == 0x2029) s.append(String.format("\\u%04x", (int) c));
      else s.append(c);
    }
    s.append('"');
  }
}
