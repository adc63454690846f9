package p

import "unsafe"

//go:noescape
func noesc(p *int)

func leaky(p *int)

func addr(u uintptr)

func callBoth() {
	a, b := 1, 2
	noesc(&a)
	leaky(&b)
}

func unsafeCast(p *int) *float64 {
	return (*float64)(unsafe.Pointer(p))
}
