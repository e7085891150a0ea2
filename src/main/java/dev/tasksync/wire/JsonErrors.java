package dev.tasksync.wire;

import tools.jackson.core.JacksonException;

/** Describes a JSON syntax error without quoting the input (error replies and logs never echo it). */
public final class JsonErrors {

    private JsonErrors() {
    }

    /** "not valid JSON at line L, column C", or without a position when Jackson has none. */
    public static String describe(JacksonException e) {
        var at = e.getLocation();
        return at == null || at.getLineNr() < 0 ? "not valid JSON"
                : "not valid JSON at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
}
