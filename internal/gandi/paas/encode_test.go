package paas

import (
	"strings"
	"testing"

	"github.com/kolo/xmlrpc"
)

func TestFilterNamesAreEscaped(t *testing.T) {
	size := 3
	opts := &PaasListOptions{
		PaasCountOptions: PaasCountOptions{DateEndBefore: "2030-01-01", DataDiskAdditionalSizeAbove: &size, NameLike: []string{"web%"}},
		Paging:           Paging{ItemsPerPage: 10, Page: 2},
	}
	b, err := xmlrpc.EncodeMethodCall("paas.list", "k", toValue(opts))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"<name>&lt;date_end</name>", "<name>&gt;data_disk_additional_size</name>", "<name>~name</name>", "<name>items_per_page</name>"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %s in %s", want, s)
		}
	}
	if strings.Contains(s, "date_start") || strings.Contains(s, "sort_by") {
		t.Errorf("empty fields sent: %s", s)
	}
}

func TestReadMethods(t *testing.T) {
	reads := []string{"paas.info", "paas.list", "paas.count", "paas.vhost.info", "paas.vhost.get_dns_entries", "paas.type.list", "paas.snapshot.info"}
	writes := []string{"paas.create", "paas.renew", "paas.update", "paas.delete", "paas.restart", "paas.vhost.create", "paas.vhost.delete"}
	for _, m := range reads {
		if !isRead(m) {
			t.Errorf("%s should be a read", m)
		}
	}
	for _, m := range writes {
		if isRead(m) {
			t.Errorf("%s should not be retried", m)
		}
	}
}
