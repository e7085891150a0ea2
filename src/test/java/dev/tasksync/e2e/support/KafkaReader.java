package dev.tasksync.e2e.support;

import dev.tasksync.support.Waits;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic back for assertions, against any broker (in-process or container). */
public final class KafkaReader {

    private KafkaReader() {
    }

    /**
     * Reads {@code topic} from the beginning without joining a consumer group (so it never
     * takes partitions from daprd) until at least {@code minCount} records are seen or the
     * timeout passes; returns what was read either way.
     */
    public static List<ConsumerRecord<String, String>> readRecords(String bootstrapServers, String topic, int minCount,
            Duration timeout) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        if (minCount <= 0) {
            return records;
        }
        read(bootstrapServers, topic, timeout, r -> {
            records.add(r);
            return records.size() >= minCount;
        });
        return records;
    }

    /**
     * Reads {@code topic} from the beginning (as {@link #readRecords}) until a record whose value
     * contains {@code marker} has been read; returns the values before it. Fails when the marker
     * does not show up within {@code timeout}, so an empty or unread topic can never pass as "clean".
     */
    public static List<String> readValuesUntil(String bootstrapServers, String topic, String marker, Duration timeout) {
        List<String> before = new ArrayList<>();
        boolean found = read(bootstrapServers, topic, timeout, r -> {
            if (r.value() != null && r.value().contains(marker)) {
                return true;
            }
            before.add(r.value());
            return false;
        });
        if (!found) {
            throw new AssertionError("marker " + marker + " not found on " + topic + " within " + timeout + " ("
                    + before.size() + " records read before giving up)");
        }
        return before;
    }

    /**
     * Hands every record of {@code topic}, from the beginning, to {@code stop} until it returns
     * true (then true) or the timeout passes (then false). No consumer group: it never takes
     * partitions from daprd.
     */
    private static boolean read(String bootstrapServers, String topic, Duration timeout,
            Predicate<ConsumerRecord<String, String>> stop) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "e2e-reader-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = List.of();
            while (System.nanoTime() < deadline) {
                if (partitions.isEmpty()) {
                    // The topic may not exist yet (daprd creates a dead-letter topic on first use).
                    partitions = consumer.partitionsFor(topic, Duration.ofSeconds(2)).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .collect(Collectors.toList());
                    if (partitions.isEmpty()) {
                        Waits.sleep(200);
                        continue;
                    }
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(250))) {
                    if (stop.test(r)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Record values of {@link #readRecords}. */
    public static List<String> readValues(String bootstrapServers, String topic, int minCount, Duration timeout) {
        return readRecords(bootstrapServers, topic, minCount, timeout).stream()
                .map(ConsumerRecord::value)
                .collect(Collectors.toList());
    }
}
