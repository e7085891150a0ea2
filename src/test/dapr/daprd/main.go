// Command daprd is the real Dapr runtime (github.com/dapr/dapr/cmd/daprd/app) built
// with only the components tasksync uses, so the test harness can build it from the
// Go module proxy in minutes instead of compiling every stable component.
//
// Build it with ../build-daprd.sh, not a bare `go build`: without -tags stablecomponents,
// dapr's cmd/daprd/components package panics at init on purpose, and the script swaps that
// one file out with `go build -overlay`.
package main

import (
	"github.com/dapr/components-contrib/nameresolution/mdns"
	"github.com/dapr/components-contrib/nameresolution/nameformat"
	"github.com/dapr/components-contrib/pubsub/kafka"
	"github.com/dapr/components-contrib/secretstores/local/env"
	"github.com/dapr/components-contrib/secretstores/local/file"
	"github.com/dapr/dapr/cmd/daprd/app"
	nrLoader "github.com/dapr/dapr/pkg/components/nameresolution"
	pubsubLoader "github.com/dapr/dapr/pkg/components/pubsub"
	secretstoresLoader "github.com/dapr/dapr/pkg/components/secretstores"
)

func main() {
	pubsubLoader.DefaultRegistry.RegisterComponent(kafka.NewKafka, "kafka")
	secretstoresLoader.DefaultRegistry.RegisterComponent(env.NewEnvSecretStore, "local.env")
	secretstoresLoader.DefaultRegistry.RegisterComponent(file.NewLocalSecretStore, "local.file")
	nrLoader.DefaultRegistry.RegisterComponent(mdns.NewResolver, "mdns")
	// The e2e harness selects nameformat (src/test/dapr/config.yaml): mDNS would multicast
	// on every network interface, and tests keep their traffic on loopback.
	nrLoader.DefaultRegistry.RegisterComponent(nameformat.NewResolver, "nameformat")
	app.Run()
}
