package android

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/record"
)

func TestDumpsysReceiversSample(t *testing.T) {
	recs := extractOK(t, DumpsysReceivers{}, mvtSample(t, "dumpsys_packages.txt", "package"))
	intents := map[string]bool{}
	for _, r := range recs {
		intent, _ := receiverOf(r)
		intents[intent] = true
	}
	intent, rec := receiverOf(recs[0])
	if len(intents) != 4 || intent != "com.android.storagemanager.automatic.SHOW_NOTIFICATION" || rec["package_name"] != "com.android.storagemanager" {
		t.Fatalf("records = %+v", recs)
	}
}

func TestDumpsysReceiversMisindented(t *testing.T) {
	text := section("package", "Receiver Resolver Table:\n  Non-Data Actions:\n"+
		"      android.intent.action.PHONE_STATE:\n        1 com.android.phone/com.android.services.telephony.sip.SipIncomingCallReceiver\n"+
		"        2 com.android.services/com.example.SomeReceiver\n"+
		"               android.intent.action.MY_PACKAGE_REPLACED:\n        3 com.psycatgames.nhiegame/.R\n")
	recs := extractOK(t, DumpsysReceivers{}, dumpstateSource(t, text))
	if len(recs) != 3 {
		t.Fatalf("records = %+v", recs)
	}
	want := map[string]any{"android.intent.action.MY_PACKAGE_REPLACED": map[string]any{"package_name": "com.psycatgames.nhiegame", "receiver": "com.psycatgames.nhiegame/.R"}}
	if diff := cmp.Diff(want, recs[2].Data); diff != "" {
		t.Errorf("mis-indented intent (-want +got):\n%s", diff)
	}
	// The observable is the exact package name, so indicator
	// com.android.services matches the second receiver only.
	for i, wantPkg := range []string{"com.android.phone", "com.android.services"} {
		obs := DumpsysReceivers{}.Observables(recs[i])
		if len(obs) != 1 || obs[0].Kind != record.AppID || obs[0].Value != wantPkg {
			t.Errorf("[%d] observables = %+v", i, obs)
		}
	}
}
