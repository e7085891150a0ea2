package dev.tasksync.config;

import dev.tasksync.fanout.Hub;
import dev.tasksync.ingress.CloudEventReader;
import dev.tasksync.ingress.DaprIntake;
import dev.tasksync.ingress.DaprRoute;
import dev.tasksync.ops.TasksyncMetrics;
import dev.tasksync.presence.Presence;
import dev.tasksync.presence.PresenceProperties;
import dev.tasksync.presence.PresenceReplication;
import dev.tasksync.replication.PeerIntake;
import dev.tasksync.replication.SidecarProperties;
import dev.tasksync.replication.SidecarPublisher;
import dev.tasksync.signal.SignalProperties;
import dev.tasksync.signal.Signals;
import dev.tasksync.wire.ServerMessages;
import io.dapr.client.DaprClientBuilder;
import io.dapr.config.Properties;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** Wires presence and signals, and the sidecar they replicate through. */
@Configuration(proxyBeanMethods = false)
class PresenceConfig {

    private static final Logger log = LoggerFactory.getLogger(PresenceConfig.class);

    @Bean(destroyMethod = "close")
    SidecarPublisher sidecarPublisher(SidecarProperties sidecar, DaprProperties dapr) {
        String endpoint = sidecar.endpoint();
        if (endpoint == null) {
            log.info("no Dapr sidecar configured (DAPR_GRPC_PORT / tasksync.sidecar.*): presence and signals "
                    + "stay on this replica");
            return new SidecarPublisher(null, dapr.pubsubName());
        }
        return new SidecarPublisher(new DaprClientBuilder().withPropertyOverride(Properties.GRPC_ENDPOINT, endpoint)
                .build(), dapr.pubsubName());
    }

    @Bean
    Presence presence(Hub hub, ServerMessages messages, PresenceProperties props, TasksyncMetrics metrics) {
        var presence = new Presence(UUID.randomUUID().toString(), messages, props, System::nanoTime,
                new Presence.Events() {
                    @Override
                    public void diffSent(int watchers) {
                        metrics.presence("diff", 1);
                        metrics.presence("diff_delivery", watchers);
                    }

                    @Override
                    public void gap() {
                        metrics.presence("gap", 1);
                    }

                    @Override
                    public void replicaExpired() {
                        metrics.presence("replica_expired", 1);
                    }
                });
        hub.listen(presence);
        metrics.gauge("tasksync.presence.members", "Members summed over topics, as last announced", presence,
                Presence::memberCount);
        metrics.gauge("tasksync.presence.peers", "Other replicas heard from", presence, p -> p.peers().size());
        return presence;
    }

    @Bean(destroyMethod = "close")
    PresenceReplication presenceReplication(Presence presence, SidecarPublisher sidecar, PresenceProperties props,
            JsonMapper json) {
        var replication = new PresenceReplication(presence, sidecar, props, json);
        replication.start();
        return replication;
    }

    @Bean
    Signals signals(Hub hub, ServerMessages messages, JsonMapper json, SignalProperties props,
            SidecarPublisher sidecar, TasksyncMetrics metrics, Presence presence) {
        return new Signals(hub, messages, json, props, sidecar, metrics, presence.self());
    }

    @Bean
    DaprRoute presenceRoute(PresenceReplication replication, CloudEventReader reader, JsonMapper json,
            TasksyncMetrics metrics, DaprProperties dapr) {
        return new DaprRoute(new PeerIntake("presence", reader, json, metrics, replication::receive),
                PresenceProperties.ROUTE, dapr.appApiToken(), DaprIntake.maxBodyBytes(dapr));
    }

    @Bean
    DaprRoute signalRoute(Signals signals, CloudEventReader reader, JsonMapper json, TasksyncMetrics metrics,
            DaprProperties dapr) {
        return new DaprRoute(new PeerIntake("signal", reader, json, metrics, signals::receive),
                SignalProperties.ROUTE, dapr.appApiToken(), DaprIntake.maxBodyBytes(dapr));
    }
}
