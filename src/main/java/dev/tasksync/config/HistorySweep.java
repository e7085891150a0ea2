package dev.tasksync.config;

import dev.tasksync.fanout.EventLog;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/** Expires history of streams that stopped receiving events (appends expire the others). */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class HistorySweep {

    private final EventLog log;

    HistorySweep(EventLog log) {
        this.log = log;
    }

    @Scheduled(fixedDelayString = "${tasksync.history.sweep-interval:30s}")
    void sweep() {
        log.sweep();
    }
}
