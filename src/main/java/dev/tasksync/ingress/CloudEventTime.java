package dev.tasksync.ingress;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * A CloudEvent's {@code time} (RFC 3339) in epoch millis. Every delivery carries one and
 * {@link OffsetDateTime#parse} costs more than the rest of reading the envelope, so the common
 * shape ({@code 2026-12-01T12:00:00[.fraction](Z|±hh:mm)}) is read by hand; anything else goes
 * to {@code OffsetDateTime.parse}.
 */
final class CloudEventTime {

    /** No time could be read. */
    static final long UNREADABLE = Long.MIN_VALUE;

    private CloudEventTime() {
    }

    static long epochMillis(String t) {
        long fast = fast(t);
        if (fast != UNREADABLE) {
            return fast;
        }
        try {
            return OffsetDateTime.parse(t).toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            return UNREADABLE;
        }
    }

    private static long fast(String t) {
        int n = t.length();
        if (n < 20 || t.charAt(4) != '-' || t.charAt(7) != '-' || (t.charAt(10) != 'T' && t.charAt(10) != 't')
                || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return UNREADABLE;
        }
        int year = digits(t, 0, 4), month = digits(t, 5, 2), day = digits(t, 8, 2);
        int hour = digits(t, 11, 2), minute = digits(t, 14, 2), second = digits(t, 17, 2);
        if ((year | month | day | hour | minute | second) < 0 || hour > 23 || minute > 59 || second > 59) {
            return UNREADABLE;
        }
        int i = 19;
        int millis = 0;
        if (t.charAt(i) == '.') {
            int start = ++i;
            while (i < n && isDigit(t.charAt(i))) {
                if (i - start < 3) {
                    millis = millis * 10 + (t.charAt(i) - '0');
                }
                i++;
            }
            if (i == start) {
                return UNREADABLE;
            }
            for (int k = i - start; k < 3; k++) {
                millis *= 10;
            }
        }
        int offsetMinutes;
        if (i == n - 1 && (t.charAt(i) == 'Z' || t.charAt(i) == 'z')) {
            offsetMinutes = 0;
        } else if (i == n - 6 && (t.charAt(i) == '+' || t.charAt(i) == '-') && t.charAt(i + 3) == ':') {
            int oh = digits(t, i + 1, 2), om = digits(t, i + 4, 2);
            if ((oh | om) < 0 || oh > 23 || om > 59) {
                return UNREADABLE;
            }
            offsetMinutes = (t.charAt(i) == '-' ? -1 : 1) * (oh * 60 + om);
        } else {
            return UNREADABLE;
        }
        long days;
        try {
            days = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return UNREADABLE;
        }
        long seconds = days * 86_400 + hour * 3_600L + minute * 60L + second - offsetMinutes * 60L;
        return seconds * 1_000 + millis;
    }

    /** The non-negative number in {@code len} digits at {@code from}, or -1. */
    private static int digits(String t, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = t.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
