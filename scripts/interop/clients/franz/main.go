// A tiny franz-go producer + consumer for the interop client captures
// (scripts/interop/record-clients.sh). Built by clients-setup.sh into the cache.
// usage: franz-client BOOTSTRAP TOPIC GROUP COUNT TIMEOUT_MS
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: franz-client BOOTSTRAP TOPIC GROUP COUNT TIMEOUT_MS")
		os.Exit(2)
	}
	bootstrap, topic, group := os.Args[1], os.Args[2], os.Args[3]
	count, _ := strconv.Atoi(os.Args[4])
	ms, _ := strconv.Atoi(os.Args[5])
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(ms)*time.Millisecond)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		fmt.Println("client failed:", err)
		os.Exit(1)
	}
	defer cl.Close()
	sent := 0
	for i := 0; i < count; i++ {
		r := &kgo.Record{Topic: topic, Key: []byte("k" + strconv.Itoa(i)), Value: []byte("interop-message-" + strconv.Itoa(i))}
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			fmt.Println("produce failed:", err)
			break
		}
		sent++
	}
	fmt.Println("produced", sent)
	got := 0
	for got < count && ctx.Err() == nil {
		fs := cl.PollFetches(ctx)
		for _, e := range fs.Errors() {
			if e.Err != context.DeadlineExceeded {
				fmt.Println("fetch error:", e.Topic, e.Partition, e.Err)
			}
		}
		fs.EachRecord(func(*kgo.Record) { got++ })
	}
	if got > 0 {
		cctx, c2 := context.WithTimeout(context.Background(), 5*time.Second)
		if err := cl.CommitUncommittedOffsets(cctx); err != nil {
			fmt.Println("commit failed:", err)
		}
		c2()
	}
	fmt.Println("consumed", got)
	if sent != count || got < count {
		os.Exit(1)
	}
}
