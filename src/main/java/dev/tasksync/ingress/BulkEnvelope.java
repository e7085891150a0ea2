package dev.tasksync.ingress;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Dapr's bulk-subscribe delivery: {@code {"id":…,"topic":…,"entries":[{"entryId":…,"event":…,
 * "contentType":…}]}}, answered with one status per entry ({@link Reply}).
 */
final class BulkEnvelope {

    private BulkEnvelope() {
    }

    /** A single CloudEvent carries {@code specversion}; a bulk envelope carries {@code entries}. */
    static boolean is(JsonNode root) {
        JsonNode entries = root.get("entries");
        return entries != null && entries.isArray() && !root.has("specversion");
    }

    /** The reply body Dapr expects: {@code {"statuses":[{"entryId":…,"status":"SUCCESS"}]}}. */
    record Reply(List<Status> statuses) {
    }

    record Status(String entryId, String status) {
    }
}
