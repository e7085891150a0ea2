package dev.tasksync.wire;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Parses one client text frame into a {@link ClientMessage}; never throws. */
public final class ClientMessageParser {

    private static final ClientMessage.Ignored IGNORED = new ClientMessage.Ignored();

    private final JsonMapper json;

    public ClientMessageParser(JsonMapper json) {
        this.json = json;
    }

    public ClientMessage parse(String text) {
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JacksonException e) {
            // Position only: Jackson's messages quote the offending token, and details never echo input.
            return new ClientMessage.Invalid(JsonErrors.describe(e));
        }
        if (root == null || !root.isObject()) {
            return new ClientMessage.Invalid("expected a JSON object");
        }
        String type = text(root, "type");
        if (type != null) {
            return switch (type) {
                case "ping" -> new ClientMessage.Ping(false);
                case "resume" -> new ClientMessage.Resume(text(root, "since"));
                case "auth" -> new ClientMessage.Auth(text(root, "token"));
                default -> IGNORED;
            };
        }
        String action = text(root, "action");
        if (action == null) {
            return IGNORED;
        }
        return switch (action) {
            case "ping" -> new ClientMessage.Ping(true);
            case "subscribe" -> new ClientMessage.Subscribe(text(root, "topic"), text(root, "since"),
                    root.path("presence").isBoolean() && root.get("presence").booleanValue());
            case "presence" -> new ClientMessage.Presence(text(root, "topic"));
            case "signal" -> new ClientMessage.Signal(text(root, "topic"), text(root, "event"), root.get("data"));
            case "unsubscribe" -> new ClientMessage.Unsubscribe(text(root, "topic"));
            default -> IGNORED;
        };
    }

    /** A string field, or null when absent, not a string, or empty. */
    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isString() && !v.stringValue().isEmpty() ? v.stringValue() : null;
    }
}
