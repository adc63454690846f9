// Leak: every poller creates a ticker and returns after a few ticks without calling
// Stop; before Go 1.23 an unstopped Ticker is never collected.
package main

import (
	"time"

	"gomemleaks/harness"
)

type poller struct {
	name   string
	ticker *time.Ticker
}

func startPoller(i int) *poller {
	p := &poller{name: "p", ticker: time.NewTicker(time.Hour)}
	return p // p.ticker.Stop() is never called
}

func main() {
	r := harness.Start(harness.Options{MemProfileRate: 4 << 10, SampleEvery: 90 * time.Millisecond})
	for round := 1; round <= 2; round++ {
		for i := 0; i < 20_000*round; i++ {
			_ = startPoller(i)
		}
		time.Sleep(100 * time.Millisecond)
		r.Snapshot()
	}
	r.Finish()
}
