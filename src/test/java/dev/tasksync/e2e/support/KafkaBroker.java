package dev.tasksync.e2e.support;

import dev.tasksync.support.Waits;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real single-node Kafka broker in KRaft mode (combined broker + controller, Kafka's own
 * {@code KafkaRaftServer}, as {@code kafka-server-start.sh} runs it), bound to 127.0.0.1 only.
 * Data lives in a temp dir that {@link #close()} deletes.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final String CONTROLLER = "CONTROLLER";

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final String bootstrapServers;

    private KafkaBroker(KafkaRaftServer server, Path dataDir, String bootstrapServers) {
        this.server = server;
        this.dataDir = dataDir;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts a broker on a free port. */
    public static KafkaBroker start() {
        return start(0);
    }

    /** Starts a broker on {@code port}, or a free port when {@code port} is 0. */
    public static KafkaBroker start(int port) {
        KafkaLogging.quiet();
        // A fatal broker error calls Exit.exit/halt, which would end the whole test JVM.
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Kafka broker wanted to exit(" + code + "): " + message);
        });
        Exit.setHaltProcedure((code, message) -> {
            throw new IllegalStateException("Kafka broker wanted to halt(" + code + "): " + message);
        });
        int brokerPort = port > 0 ? port : FreePorts.next();
        String bootstrap = "127.0.0.1:" + brokerPort;
        Path dataDir = createTempDir();
        KafkaConfig config = KafkaConfig.fromProps(brokerProperties(brokerPort, FreePorts.next(), dataDir));
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(config.nodeId())
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(CONTROLLER)
                    .setMetadataLogDirectory(dataDir.toString())
                    .addDirectory(dataDir.toString())
                    .run();
        } catch (Exception e) {
            deleteRecursively(dataDir);
            throw new IllegalStateException("could not format Kafka storage in " + dataDir, e);
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        KafkaBroker broker = new KafkaBroker(server, dataDir, bootstrap);
        try {
            server.startup();
            broker.awaitReady(Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    private static Properties brokerProperties(int brokerPort, int controllerPort, Path dataDir) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER + "://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
        props.put("controller.listener.names", CONTROLLER);
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", dataDir.toString());
        // One broker: every internal topic has a single replica.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("num.partitions", "1");
        props.put("auto.create.topics.enable", "true");
        // No join delay: consumer groups of freshly started daprd sidecars get partitions at once.
        props.put("group.initial.rebalance.delay.ms", "0");
        return props;
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka on " + bootstrapServers + " not ready after " + timeout, e);
                    }
                }
                Waits.sleep(200);
            }
        }
    }

    /** host:port list for clients, e.g. the KAFKA_BROKERS env var of daprd. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Creates single-partition topics; existing ones are left alone. */
    public void createTopics(String... topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<NewTopic> newTopics = Arrays.stream(topics).map(t -> new NewTopic(t, 1, (short) 1)).collect(Collectors.toList());
            for (Map.Entry<String, KafkaFuture<Void>> result : admin.createTopics(newTopics).values().entrySet()) {
                try {
                    result.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + result.getKey(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("could not create topics " + Arrays.toString(topics), e);
        }
    }

    /** Writes one raw record (no CloudEvent envelope), e.g. to test how malformed input is handled. */
    public void send(String topic, String key, String value) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not send to " + topic, e);
        }
    }

    /** See {@link KafkaReader#readRecords}. */
    public List<ConsumerRecord<String, String>> readRecords(String topic, int minCount, Duration timeout) {
        return KafkaReader.readRecords(bootstrapServers, topic, minCount, timeout);
    }

    /** See {@link KafkaReader#readValuesUntil}. */
    public List<String> readValuesUntil(String topic, String marker, Duration timeout) {
        return KafkaReader.readValuesUntil(bootstrapServers, topic, marker, timeout);
    }

    /** See {@link KafkaReader#readValues}. */
    public List<String> readValues(String topic, int minCount, Duration timeout) {
        return KafkaReader.readValues(bootstrapServers, topic, minCount, timeout);
    }

    @Override
    public void close() {
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            deleteRecursively(dataDir);
        }
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("tasksync-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // Best effort: a temp dir left behind is harmless.
        }
    }
}
