// Leak: each packet is read into a fresh 1 MiB buffer, and only its 16-byte header is kept,
// as a sub-slice: the header keeps the whole buffer alive.
package main

import (
	"time"

	"gomemleaks/harness"
)

var headers [][]byte

func readPacket(seq int) []byte {
	buf := make([]byte, 1<<20)
	buf[0] = byte(seq)
	return buf[:16] // pins buf's 1 MiB backing array
}

func main() {
	r := harness.Start(harness.Options{})
	r.Gauge("headers", func() float64 { return float64(len(headers)) })
	for round := 1; round <= 2; round++ {
		for i := 0; i < 60*round; i++ {
			headers = append(headers, readPacket(i))
			if i%10 == 0 {
				time.Sleep(5 * time.Millisecond)
			}
		}
		r.Snapshot()
	}
	r.Finish()
}
