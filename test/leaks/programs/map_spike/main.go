// Leak: a dedup table normally holds about a thousand keys, but one traffic spike pushes it
// to 200k; after the spike the keys are deleted again, and the values live inline in the
// buckets, so the only thing left is a bucket array sized for the spike.
package main

import (
	"time"

	"gomemleaks/harness"
)

type digest [48]byte

var seen = map[uint64]digest{}

func record(id uint64) {
	var d digest
	d[0] = byte(id)
	seen[id] = d
}

func forget(from, to uint64) {
	for id := from; id < to; id++ {
		delete(seen, id)
	}
}

func main() {
	r := harness.Start(harness.Options{MemProfileRate: 16 << 10, SampleEvery: 40 * time.Millisecond})
	r.Gauge("seen_len", func() float64 { return float64(len(seen)) })
	for id := uint64(0); id < 1000; id++ {
		record(id)
	}
	time.Sleep(100 * time.Millisecond)
	r.Snapshot()
	for id := uint64(1000); id < 200_000; id++ {
		record(id)
	}
	time.Sleep(100 * time.Millisecond)
	r.Snapshot()
	forget(1000, 200_000)
	time.Sleep(150 * time.Millisecond)
	r.Snapshot()
	r.Finish()
}
