package dev.tasksync.e2e.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/**
 * Without a Spring context, logback runs its default DEBUG-to-console config, and an in-process
 * broker then floods the test output; keep the broker's own loggers at WARN.
 */
final class KafkaLogging {

    private KafkaLogging() {
    }

    static void quiet() {
        setLevel(Level.WARN, "kafka", "org.apache.kafka", "state.change.logger", "org.springframework.kafka");
    }

    /** For a process that runs only the broker: WARN and up, on stderr so stdout stays for KAFKA_READY. */
    static void brokerProcess() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.reset();
            ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
            stderr.setContext(context);
            stderr.setTarget("System.err");
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(context);
            encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n");
            encoder.start();
            stderr.setEncoder(encoder);
            stderr.start();
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            root.addAppender(stderr);
            root.setLevel(Level.WARN);
        }
    }

    private static void setLevel(Level level, String... loggers) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            for (String name : loggers) {
                context.getLogger(name).setLevel(level);
            }
        }
    }
}
