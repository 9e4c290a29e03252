package world

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h := HashPassword("correct horse")
	if strings.Contains(h, "correct horse") || !strings.HasPrefix(h, "pbkdf2-sha256$") {
		t.Fatalf("hash %q", h)
	}
	if !CheckPassword(h, "correct horse") || CheckPassword(h, "wrong") || CheckPassword("garbage", "correct horse") {
		t.Fatal("CheckPassword")
	}
	if HashPassword("correct horse") == h {
		t.Fatal("hashes are not salted")
	}
}
