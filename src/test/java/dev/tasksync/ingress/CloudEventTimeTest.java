package dev.tasksync.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CloudEventTimeTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-01T12:00:00Z", "2026-12-01T12:00:00.1Z", "2026-12-01T12:00:00.123456789Z",
            "2026-12-01t12:00:00z", "2026-12-01T12:00:00+05:30", "2026-12-01T12:00:00.5-08:00", "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999Z", "2024-02-29T23:59:59.999999+00:00", "2026-12-01T12:00:00-00:00",
            "2026-12-01T12:00Z", "2026-12-01 12:00:00Z",
            "2026-12-01T12:00:00.Z", "2026-12-01T12:00:00+05"})
    void agreesWithOffsetDateTime(String time) {
        assertThat(CloudEventTime.epochMillis(time)).isEqualTo(reference(time));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "yesterday", "2026-02-30T12:00:00Z", "2026-13-01T12:00:00Z", "2026-12-01T24:00:00Z",
            "2026-12-01T12:60:00Z", "2026-12-01T12:00:60Z", "2026-12-01T12:00:00",
            "2026-12-01T12:00:00+25:00", "2026-12-01T12:00:00Zjunk", "2026-1x-01T12:00:00Z"})
    void unreadableLikeOffsetDateTime(String time) {
        assertThat(reference(time)).isEqualTo(CloudEventTime.UNREADABLE);
        assertThat(CloudEventTime.epochMillis(time)).isEqualTo(CloudEventTime.UNREADABLE);
    }

    @Test
    void randomInstantsAndOffsets() {
        var random = new Random(17);
        for (int i = 0; i < 20_000; i++) {
            var instant = Instant.ofEpochSecond(random.nextLong(-2_000_000_000L, 8_000_000_000L), random.nextInt(1_000_000_000));
            var offset = ZoneOffset.ofTotalSeconds(random.nextInt(-18 * 60, 18 * 60 + 1) * 60);
            String text = OffsetDateTime.ofInstant(instant, offset).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            assertThat(CloudEventTime.epochMillis(text)).as(text).isEqualTo(reference(text));
        }
    }

    private static long reference(String time) {
        try {
            return OffsetDateTime.parse(time).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return CloudEventTime.UNREADABLE;
        }
    }
}
