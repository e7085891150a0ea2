package dev.tasksync.security;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * The "no echo" invariant: an error message quotes at most {@link #MAX_VERBATIM} characters of
 * the input. A run of the message that merely happens to be in the input (a fuzzer readily
 * copies the message's fixed wording into its input) is not an echo: a run counts only if it
 * changes when that part of the input is changed (letters and digits swapped after its first {@link #KEEP} characters; punctuation and JSON escapes kept).
 */
final class NoEcho {

    static final int MAX_VERBATIM = 40;

    /**
     * Characters kept at the start of a run: where the fuzzer copies the wording into the input, the
     * parse error sits at the run's first few characters, and changing them changes the error itself.
     */
    private static final int KEEP = 12;

    private NoEcho() {
    }

    /** The echoed run of {@code message} (a parse of {@code input}), or null; {@code rerun} parses a variant. */
    static String echoInText(String message, String input, Function<String, String> rerun) {
        String run = echoed(mask(message), input);
        if (run == null) {
            return null;
        }
        char[] variant = input.toCharArray();
        char[] needle = run.toCharArray();
        boolean[] escaped = escapes(variant.length, i -> variant[i]);
        for (int i = 0; i + needle.length <= variant.length; i++) {
            if (java.util.Arrays.equals(variant, i, i + needle.length, needle, 0, needle.length)) {
                for (int j = i + KEEP; j < i + needle.length; j++) {
                    variant[j] = escaped[j] ? variant[j] : scramble(variant[j]);
                }
                i += needle.length - 1;
            }
        }
        return dependsOnInput(rerun.apply(new String(variant)), run) ? run : null;
    }

    /** As {@link #echoInText} for a byte body (swapped at the byte level, so invalid UTF-8 stays as it is). */
    static String echoInBytes(String message, byte[] input, Function<byte[], String> rerun) {
        String run = echoed(mask(message), new String(input, StandardCharsets.UTF_8));
        if (run == null) {
            return null;
        }
        byte[] needle = run.getBytes(StandardCharsets.UTF_8);
        byte[] variant = input.clone();
        boolean[] escaped = escapes(variant.length, i -> (char) (variant[i] & 0xff));
        boolean found = false;
        for (int i = 0; i + needle.length <= variant.length; i++) {
            if (java.util.Arrays.equals(variant, i, i + needle.length, needle, 0, needle.length)) {
                for (int j = i + KEEP; j < i + needle.length; j++) {
                    variant[j] = escaped[j] ? variant[j] : (byte) scramble((char) (variant[j] & 0xff));
                }
                found = true;
                i += needle.length - 1;
            }
        }
        return !found || dependsOnInput(rerun.apply(variant), run) ? run : null;
    }

    /** Positions inside a JSON escape (backslash-x, backslash-u and four hex digits) after its backslash: never swapped. */
    private static boolean[] escapes(int length, java.util.function.IntUnaryOperator charAt) {
        boolean[] escaped = new boolean[length];
        for (int i = 0; i < length; i++) {
            if (charAt.applyAsInt(i) == '\\' && i + 1 < length) {
                int last = charAt.applyAsInt(i + 1) == 'u' ? Math.min(length - 1, i + 5) : i + 1;
                for (int j = i + 1; j <= last; j++) {
                    escaped[j] = true;
                }
                i = last;
            }
        }
        return escaped;
    }

    /** The run is the input's if the variant's message no longer carries it. */
    private static boolean dependsOnInput(String variantMessage, String run) {
        return variantMessage == null || !mask(variantMessage).contains(run);
    }

    /** Hook for masking known, tracked echoes; there are none (the three found by fuzzing are fixed). */
    private static String mask(String message) {
        return message;
    }

    /** Every ASCII letter and digit changed, anything else kept. */
    private static char scramble(char c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            return c == 'q' ? 'z' : 'q';
        }
        if (c >= '0' && c <= '9') {
            return c == '7' ? '3' : '7';
        }
        return c;
    }

    /**
     * The longest substring of {@code message} that also occurs verbatim in {@code input}, when it is
     * longer than {@link #MAX_VERBATIM}; otherwise null. Every (MAX_VERBATIM+1)-long slice of the
     * message is looked up in the input, then grown to report the whole run.
     */
    static String echoed(String message, String input) {
        if (message == null || input == null || message.length() <= MAX_VERBATIM) {
            return null;
        }
        for (int i = 0; i + MAX_VERBATIM < message.length(); i++) {
            int end = i + MAX_VERBATIM + 1;
            if (input.contains(message.substring(i, end))) {
                while (end < message.length() && input.contains(message.substring(i, end + 1))) {
                    end++;
                }
                return message.substring(i, end);
            }
        }
        return null;
    }
}
