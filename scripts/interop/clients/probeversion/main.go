// probe-version: what `kcl misc probe-version` does (kcl is not served by the Go module
// proxy here), with franz-go: one ApiVersions request to the seed broker, then
// kversion.FromApiVersionsResponse(...).VersionGuess(). Built by clients-setup.sh.
// usage: probe-version BOOTSTRAP [CA_FILE]      (a CA file means TLS, verified, no client certificate)
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: probe-version BOOTSTRAP [CA_FILE]")
		os.Exit(2)
	}
	opts := []kgo.Opt{kgo.SeedBrokers(os.Args[1]), kgo.RequestRetries(0), kgo.DialTimeout(5 * time.Second)}
	if len(os.Args) == 3 {
		pem, err := os.ReadFile(os.Args[2])
		if err != nil {
			fmt.Println("ca:", err)
			os.Exit(1)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		opts = append(opts, kgo.DialTLSConfig(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := kmsg.NewPtrApiVersionsRequest()
	req.ClientSoftwareName = "kcl"
	req.ClientSoftwareVersion = "v0.0.0"
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		fmt.Println("unable to request API versions:", err)
		os.Exit(1)
	}
	fmt.Println(kversion.FromApiVersionsResponse(resp).VersionGuess())
}
