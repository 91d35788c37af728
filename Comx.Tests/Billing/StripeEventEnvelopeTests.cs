using System.Text;
using Comx.Core.Billing;

namespace Comx.Tests.Billing;

public sealed class StripeEventEnvelopeTests
{
    private static StripeEventEnvelope? Parse(string json) => StripeEventEnvelope.TryParse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void BasilSubscriptionEvent_ReadsEnvelopeAndObjectAsSent()
    {
        var envelope = Parse("""
            {"id":"evt_1","object":"event","api_version":"2025-03-31.basil","created":1735689600,"livemode":false,
             "type":"customer.subscription.updated",
             "data":{"object":{"id":"sub_1","customer":"cus_1","status":"past_due","metadata":{"org_id":"org_2c"},
                               "items":{"data":[{"id":"si_1","price":{"id":"price_pro","product":"prod_1"},"current_period_end":1738368000}]}},
                     "previous_attributes":{"status":"active"}}}
            """);

        Assert.NotNull(envelope);
        Assert.Equal("evt_1", envelope.Id);
        Assert.Equal("customer.subscription.updated", envelope.Type);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1735689600), envelope.Created);
        Assert.Equal("2025-03-31.basil", envelope.ApiVersion);
        Assert.False(envelope.Livemode);
        Assert.Equal("sub_1", envelope.ObjectId);
        Assert.Equal("cus_1", envelope.GetString("customer"));
        Assert.Equal("past_due", envelope.GetString("status"));
        Assert.Equal("org_2c", envelope.GetString("metadata", "org_id"));
        Assert.Equal("active", envelope.PreviousAttributes?.GetProperty("status").GetString());
        // current_period_end lives on the items from basil on: read straight from the JSON.
        var item = envelope.DataObject.GetProperty("items").GetProperty("data")[0];
        Assert.Equal("price_pro", item.GetProperty("price").GetProperty("id").GetString());
        Assert.Equal(1738368000, item.GetProperty("current_period_end").GetInt64());
    }

    [Fact]
    public void BasilInvoice_SubscriptionUnderParent_AndExpandedCustomer_AreRead()
    {
        var envelope = Parse("""
            {"id":"evt_2","object":"event","created":1735690000,"type":"invoice.payment_failed",
             "data":{"object":{"id":"in_1","customer":{"id":"cus_1","object":"customer"},
                               "parent":{"type":"subscription_details","subscription_details":{"subscription":"sub_1"}}}}}
            """);

        Assert.NotNull(envelope);
        Assert.Null(envelope.ApiVersion);
        Assert.Null(envelope.PreviousAttributes);
        Assert.Equal("cus_1", envelope.GetString("customer"));
        Assert.Equal("sub_1", envelope.GetString("parent", "subscription_details", "subscription"));
        Assert.Null(envelope.GetString("subscription"));
        Assert.Null(envelope.GetString("parent", "missing", "deeper"));
    }

    [Fact]
    public void EnvelopeOutlivesTheParse()
    {
        var envelope = Parse("""{"id":"evt_3","created":1,"type":"t","data":{"object":{"id":"x"}}}""");
        GC.Collect();
        Assert.Equal("x", envelope?.DataObject.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"type":"t","created":1,"data":{"object":{}}}""")]
    [InlineData("""{"id":"evt_1","created":1,"data":{"object":{}}}""")]
    [InlineData("""{"id":"evt_1","type":"t","data":{"object":{}}}""")]
    [InlineData("""{"id":"evt_1","type":"t","created":"1735689600","data":{"object":{}}}""")]
    [InlineData("""{"id":"evt_1","type":"t","created":99999999999999999,"data":{"object":{}}}""")]
    [InlineData("""{"id":"evt_1","type":"t","created":1}""")]
    [InlineData("""{"id":"evt_1","type":"t","created":1,"data":{"object":"sub_1"}}""")]
    [InlineData("""{"id":"evtn_1","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered","created":"2025-01-01T00:00:00Z"}""")]
    public void NotAnEvent_IsNull(string json) => Assert.Null(Parse(json));
}
