package p

// Package-level initialisers: the compiler lays out constants, function literals, addresses
// of globals and composite literals (except maps) statically; what is left runs in the
// generated init and is stored into package storage, so it escapes.

type T struct {
	a int
	p *int
	s []int
}

var sink *T
var n int
var gp *int

func a() { sink = &T{} }

var static1 = &T{}
var static2 = []*T{{}, &T{a: 1}}
var static3 interface{} = T{}
var static4 = []interface{}{n, 1, "a"}
var static5 = gp

var v1 = T{p: new(int)}
var v2 = []*T{{}, &T{p: new(int)}}
var v3 = map[string]*T{"a": &T{}}
var v4 = &T{s: make([]int, n)}
var v5 = struct{ q *T }{q: new(T)}
var v6 = keep(new(T))
var v7 = func() *T { return &T{} }

func keep(t *T) *T { return &T{} }

var v8 = func() *T { return &T{} }

// w is initialised after y, which it refers to.
var w = keep(y)
var y = new(T)

var m1, m2 = make(map[int]int), make([]byte, n)

func b() { sink = &T{} }
