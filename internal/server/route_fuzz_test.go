package server

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
)

// FuzzBucketAndKey fuzzes the S3 routing of the front door: the bucket
// and key read from a virtual-hosted Host or from the path of a request
// as net/http parses it off the wire. Whatever the input, the key is what
// follows the bucket in the path, and a virtual-hosted bucket is exactly
// the Host's first labels.
func FuzzBucketAndKey(f *testing.F) {
	for _, seed := range [][2]string{
		{"localhost:4566", "/account-a-bucket-0525/test.txt"},
		{"account-a-bucket-0525.localhost:4566", "/test.txt"},
		{"account-a-bucket-0525.s3.localhost", "/dir/a%20b/c+d?versionId=1"},
		{"s3.localhost:4566", "/bucket/key/"},
		{"127.0.0.1:4566", "/bucket"},
		{"127.0.0.1:4566", "/"},
		{"127.0.0.1:4566", "//double//slash"},
		{".localhost", "/x"},
		{"[::1]:4566", "/bucket/%2e%2e/key"},
		{"a.b.localhost", "/k?uploads"},
	} {
		f.Add(seed[0], seed[1])
	}
	s := New(Config{VirtualHostBases: []string{"localhost", "s3.localhost"}})
	f.Fuzz(func(t *testing.T, host, target string) {
		raw := "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			return
		}
		bucket, key := s.bucketAndKey(r)
		path := strings.TrimPrefix(r.URL.Path, "/")
		switch {
		case path == bucket+"/"+key, path == bucket && key == "":
			// path style
		case key == path && bucket != "" && strings.Contains(r.Host, bucket+"."):
			// virtual-hosted
		default:
			t.Fatalf("host %q path %q routed to bucket %q key %q", r.Host, r.URL.Path, bucket, key)
		}
	})
}
