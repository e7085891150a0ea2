package dev.tasksync.config;

import dev.tasksync.fanout.EventLog;
import dev.tasksync.session.Heartbeat;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/** Periodic passes: WebSocket heartbeats and token expiry, and expiry of idle history. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class Housekeeping {

    private final EventLog log;
    private final Heartbeat heartbeat;

    Housekeeping(EventLog log, Heartbeat heartbeat) {
        this.log = log;
        this.heartbeat = heartbeat;
    }

    @Scheduled(fixedDelayString = "${tasksync.ws.heartbeat-tick:1s}")
    void heartbeat() {
        heartbeat.tick();
    }

    @Scheduled(fixedDelayString = "${tasksync.history.sweep-interval:30s}")
    void sweepHistory() {
        log.sweep();
    }
}
