package dev.tasksync.e2e.support;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.common.utils.Exit;

/**
 * Runs {@link KafkaBroker} as its own process for the local stack.
 * Usage: {@code KafkaBrokerMain [port] [topic,topic...]} (port 0 = free port; default topics
 * task-updates,task-updates-dlq). Prints {@code KAFKA_READY <bootstrap>} on stdout once the
 * broker accepts clients, then runs until killed.
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9092;
        String[] topics = (args.length > 1 ? args[1] : "task-updates,task-updates-dlq").split(",");

        KafkaLogging.brokerProcess();
        KafkaBroker broker = KafkaBroker.start(port);
        // As its own process, a fatal broker error should end the process like kafka-server-start does.
        Exit.resetExitProcedure();
        Exit.resetHaltProcedure();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "kafka-broker-shutdown"));

        broker.createTopics(Arrays.stream(topics).map(String::trim).filter(t -> !t.isEmpty()).toArray(String[]::new));
        System.out.println("KAFKA_READY " + broker.bootstrapServers());
        System.out.flush();
        stopped.await();
    }
}
