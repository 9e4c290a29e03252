package soak

import (
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/policy"
)

func TestCheckFindsStaleDecisions(t *testing.T) {
	const bucket = "soak-bucket"
	open, err := ParsedPolicy("open", bucket)
	if err != nil {
		t.Fatal(err)
	}
	closed, err := ParsedPolicy("closed", bucket)
	if err != nil {
		t.Fatal(err)
	}
	at := func(s float64) time.Time { return time.Unix(1_000_000, 0).Add(time.Duration(s * float64(time.Second))) }
	var tl Timeline
	tl.Add(Version{Name: "open#0", Policy: open, Sent: at(0), Acked: at(1)})
	tl.Add(Version{Name: "closed#1", Policy: closed, Sent: at(10), Acked: at(11)})
	tl.Add(Version{Name: "open#2", Policy: open, Sent: at(20), Acked: at(21)})
	user, err := policy.ParsePrincipalARN("arn:aws:iam::111111111111:user/soak")
	if err != nil {
		t.Fatal(err)
	}
	secret := "arn:aws:s3:::" + bucket + "/soak/secret/c1/k1"
	plain := "arn:aws:s3:::" + bucket + "/soak/c1/k1"
	obs := []Observation{
		{Action: "s3:GetObject", Resource: secret, Start: at(12), End: at(13), Allowed: true},                             // wrong: closed was acked at 11
		{Action: "s3:GetObject", Resource: secret, Start: at(10.2), End: at(10.4), Allowed: true},                         // racing the change: fine
		{Action: "s3:GetObject", Resource: secret, Start: at(9), End: at(10.5), Allowed: false},                           // racing the change: fine
		{Action: "iam:ListUsers", Resource: "arn:aws:iam::111111111111:user/", Start: at(15), End: at(16), Allowed: true}, // wrong
		{Action: "s3:GetObject", Resource: plain, Start: at(5), End: at(6), Allowed: false},                               // wrong deny
		{Action: "s3:GetObject", Resource: secret, Start: at(22), End: at(23), Allowed: true},                             // open again: fine
	}
	v := Check(user, &tl, obs)
	if v.Checked != len(obs) || v.WrongAllows != 2 || v.WrongDenies != 1 {
		t.Fatalf("verdict %+v, want 6 checked, 2 wrong allows, 1 wrong deny", v)
	}
}

func TestCandidatesSpanUnacknowledgedChanges(t *testing.T) {
	at := func(s int) time.Time { return time.Unix(int64(s), 0) }
	var tl Timeline
	tl.Add(Version{Name: "a", Sent: at(0), Acked: at(1)})
	tl.Add(Version{Name: "b", Sent: at(10), Acked: at(12)})
	for _, c := range []struct {
		start, end int
		want       string
	}{{2, 3, "a"}, {2, 10, "a b"}, {11, 11, "a b"}, {12, 13, "b"}, {13, 14, "b"}} {
		got := ""
		for _, v := range tl.Candidates(at(c.start), at(c.end)) {
			got += " " + v.Name
		}
		if got != " "+c.want {
			t.Errorf("candidates in [%d,%d] = %q, want %q", c.start, c.end, got, c.want)
		}
	}
}
