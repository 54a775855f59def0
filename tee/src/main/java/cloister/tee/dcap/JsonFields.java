package cloister.tee.dcap;

import cloister.common.Hex;
import cloister.tee.QuoteRefusal;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON object of the collateral, read field by field: a missing field or a value of the wrong shape is refused as
 * {@link QuoteRefusal#BAD_COLLATERAL}, with the field's path in the message. Duplicate keys and trailing content are
 * refused too, so a document has one reading.
 */
final class JsonFields {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final JsonNode node;
    private final String path;

    private JsonFields(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    static JsonFields parse(String json, String what) throws DcapRefusal {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw refusal(what + " is not valid JSON" + (e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
        if (tree == null || !tree.isObject()) {
            throw refusal(what + " is not a JSON object");
        }
        return new JsonFields(tree, what);
    }

    /** Refuses any field outside {@code allowed}. */
    void allowOnly(Set<String> allowed) throws DcapRefusal {
        for (Map.Entry<String, JsonNode> property : node.properties()) {
            String name = property.getKey();
            if (!allowed.contains(name)) {
                throw refusal(path + " has an unknown field '" + name + "'");
            }
        }
    }

    boolean has(String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    JsonFields object(String field) throws DcapRefusal {
        JsonNode v = required(field);
        if (!v.isObject()) {
            throw refusal(path + "." + field + " is not an object");
        }
        return new JsonFields(v, path + "." + field);
    }

    Optional<JsonFields> optionalObject(String field) throws DcapRefusal {
        return has(field) ? Optional.of(object(field)) : Optional.empty();
    }

    String text(String field) throws DcapRefusal {
        JsonNode v = required(field);
        if (!v.isTextual()) {
            throw refusal(path + "." + field + " is not a string");
        }
        return v.textValue();
    }

    int integer(String field, int min, int max) throws DcapRefusal {
        JsonNode v = required(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw refusal(path + "." + field + " is not an integer in " + min + ".." + max);
        }
        return v.intValue();
    }

    /** A hex string of exactly {@code length} bytes. */
    byte[] hex(String field, int length) throws DcapRefusal {
        byte[] bytes = hexAnyLength(field);
        if (bytes.length != length) {
            throw refusal(path + "." + field + " is " + bytes.length + " bytes, not " + length);
        }
        return bytes;
    }

    byte[] hexAnyLength(String field) throws DcapRefusal {
        try {
            return Hex.decode(text(field));
        } catch (IllegalArgumentException e) {
            throw refusal(path + "." + field + " is not hex: " + e.getMessage());
        }
    }

    /** An RFC 3339 / ISO-8601 instant, e.g. {@code 2025-06-19T10:56:11Z}. */
    Instant instant(String field) throws DcapRefusal {
        try {
            return Instant.parse(text(field));
        } catch (DateTimeParseException e) {
            throw refusal(path + "." + field + " is not an ISO-8601 instant");
        }
    }

    /** A non-empty array of objects. */
    List<JsonFields> objects(String field) throws DcapRefusal {
        JsonNode v = required(field);
        if (!v.isArray() || v.isEmpty()) {
            throw refusal(path + "." + field + " is not a non-empty array");
        }
        List<JsonFields> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isObject()) {
                throw refusal(path + "." + field + "[" + i + "] is not an object");
            }
            out.add(new JsonFields(v.get(i), path + "." + field + "[" + i + "]"));
        }
        return out;
    }

    /** An array of strings; absent means empty. */
    List<String> strings(String field) throws DcapRefusal {
        if (!has(field)) {
            return List.of();
        }
        JsonNode v = node.get(field);
        if (!v.isArray()) {
            throw refusal(path + "." + field + " is not an array");
        }
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw refusal(path + "." + field + "[" + i + "] is not a string");
            }
            out.add(v.get(i).textValue());
        }
        return List.copyOf(out);
    }

    String path() {
        return path;
    }

    private JsonNode required(String field) throws DcapRefusal {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw refusal(path + " has no field '" + field + "'");
        }
        return v;
    }

    static DcapRefusal refusal(String message) {
        return new DcapRefusal(QuoteRefusal.BAD_COLLATERAL, message);
    }
}
