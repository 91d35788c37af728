using Comx.Core.Billing;
using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Billing;

public sealed class StripeWebhookTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private OrgDirectory Directory => _app.Services.GetRequiredService<OrgDirectory>();

    private static string Id(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..14];

    private static string Event(string type, long created, object data, string? eventId = null, string apiVersion = "2025-03-31.basil") =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["id"] = eventId ?? Id("evt"),
            ["object"] = "event",
            ["api_version"] = apiVersion,
            ["created"] = created,
            ["type"] = type,
            ["data"] = new Dictionary<string, object> { ["object"] = data },
        });

    private static string Checkout(string orgId, string customer, string subscription, long created) =>
        Event("checkout.session.completed", created, new Dictionary<string, object>
        {
            ["id"] = "cs_1", ["object"] = "checkout.session", ["mode"] = "subscription", ["status"] = "complete", ["payment_status"] = "paid",
            ["client_reference_id"] = orgId, ["customer"] = customer, ["subscription"] = subscription, ["metadata"] = new Dictionary<string, string>(),
        });

    private static string Subscription(string type, string customer, string subscription, string status, string price, long created, string? eventId = null) =>
        Event(type, created, new Dictionary<string, object>
        {
            ["id"] = subscription, ["object"] = "subscription", ["customer"] = customer, ["status"] = status, ["cancel_at_period_end"] = false,
            ["metadata"] = new Dictionary<string, string>(),
            ["items"] = new Dictionary<string, object>
            {
                ["data"] = new[] { new Dictionary<string, object> { ["id"] = "si_1", ["price"] = new Dictionary<string, string> { ["id"] = price, ["product"] = "prod_1" }, ["quantity"] = 1 } },
            },
        }, eventId);

    private static string PaymentFailed(string customer, long created) =>
        Event("invoice.payment_failed", created, new Dictionary<string, object>
        {
            ["id"] = "in_1", ["object"] = "invoice", ["customer"] = customer, ["status"] = "open", ["amount_due"] = 1999,
        }, apiVersion: "2026-10-28.endive");

    private async Task<(TestOrg Org, string Customer, string Subscription, long T)> SubscribedAsync(string price = "price_school")
    {
        var org = await TestOrg.CreateAsync(_app);
        var (customer, subscription) = (Id("cus"), Id("sub"));
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await (await _app.Client.SendAsync(WebhookSigning.Stripe(Checkout(org.OrgId, customer, subscription, t)))).JsonAsync(200);
        await (await _app.Client.SendAsync(WebhookSigning.Stripe(Subscription("customer.subscription.created", customer, subscription, "active", price, t + 1)))).JsonAsync(200);
        return (org, customer, subscription, t);
    }

    [Fact]
    public async Task CheckoutThenSubscription_SetsPlanFromPrice()
    {
        var (org, _, _, _) = await SubscribedAsync();
        var me = await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Get, "/api/org/v1/me"))).JsonAsync(200);
        Assert.Equal("school", me.GetProperty("plan").GetString());
        Assert.Equal("active", me.GetProperty("plan_status").GetString());
    }

    [Fact]
    public async Task SubscriptionBeforeCheckout_IsAppliedWhenTheCustomerIsLinked()
    {
        var org = await TestOrg.CreateAsync(_app);
        var (customer, subscription) = (Id("cus"), Id("sub"));
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await (await _app.Client.SendAsync(WebhookSigning.Stripe(Subscription("customer.subscription.created", customer, subscription, "active", "price_pro", t)))).JsonAsync(200);
        await (await _app.Client.SendAsync(WebhookSigning.Stripe(Checkout(org.OrgId, customer, subscription, t - 1)))).JsonAsync(200);
        var billing = (await Directory.GetOrgAsync(org.OrgId))!.Billing;
        Assert.Equal(Plan.Pro, billing.Plan);
        Assert.Equal("active", billing.Status);
    }

    [Fact]
    public async Task OlderEventArrivingLate_NeverMovesTheSubscriptionBackwards()
    {
        var (org, customer, subscription, t) = await SubscribedAsync("price_school");
        await (await _app.Client.SendAsync(WebhookSigning.Stripe(Subscription("customer.subscription.updated", customer, subscription, "active", "price_pro", t + 100)))).JsonAsync(200);
        await (await _app.Client.SendAsync(WebhookSigning.Stripe(Subscription("customer.subscription.updated", customer, subscription, "incomplete", "price_school", t + 50)))).JsonAsync(200);
        var billing = (await Directory.GetOrgAsync(org.OrgId))!.Billing;
        Assert.Equal(Plan.Pro, billing.Plan);
        Assert.Equal("active", billing.Status);
    }

    [Fact]
    public async Task PaymentFailed_MarksPastDue_AndCancellationFallsBackToFree()
    {
        var (org, customer, subscription, t) = await SubscribedAsync();
        await (await _app.Client.SendAsync(WebhookSigning.Stripe(PaymentFailed(customer, t + 10)))).JsonAsync(200);
        Assert.Equal("past_due", (await Directory.GetOrgAsync(org.OrgId))!.Billing.Status);

        await (await _app.Client.SendAsync(WebhookSigning.Stripe(Subscription("customer.subscription.deleted", customer, subscription, "canceled", "price_school", t + 20)))).JsonAsync(200);
        var billing = (await Directory.GetOrgAsync(org.OrgId))!.Billing;
        Assert.Equal(Plan.Free, billing.Plan);
        Assert.Equal("canceled", billing.Status);
    }

    [Fact]
    public async Task ReplayedEventId_Returns200AndChangesNothing()
    {
        var (org, customer, subscription, t) = await SubscribedAsync();
        var eventId = Id("evt");
        await (await _app.Client.SendAsync(WebhookSigning.Stripe(Subscription("customer.subscription.updated", customer, subscription, "active", "price_pro", t + 10, eventId)))).JsonAsync(200);
        var replay = await (await _app.Client.SendAsync(WebhookSigning.Stripe(Subscription("customer.subscription.updated", customer, subscription, "unpaid", "price_school", t + 20, eventId)))).JsonAsync(200);
        Assert.True(replay.GetProperty("duplicate").GetBoolean());
        Assert.Equal(Plan.Pro, (await Directory.GetOrgAsync(org.OrgId))!.Billing.Plan);
    }

    [Theory]
    [InlineData("wrong secret")]
    [InlineData("expired")]
    [InlineData("future")]
    [InlineData("tampered")]
    public async Task BadSignature_Returns401AndChangesNothing(string how)
    {
        var org = await TestOrg.CreateAsync(_app);
        var body = Checkout(org.OrgId, Id("cus"), Id("sub"), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var request = how switch
        {
            "wrong secret" => WebhookSigning.Stripe(body, secret: "whsec_not_the_one"),
            "expired" => WebhookSigning.Stripe(body, at: DateTimeOffset.UtcNow.AddSeconds(-310)),
            "future" => WebhookSigning.Stripe(body, at: DateTimeOffset.UtcNow.AddSeconds(310)),
            _ => WebhookSigning.Stripe(body),
        };
        if (how == "tampered")
        {
            request.Content = TestApp.RawJson(body.Replace("cs_1", "cs_2", StringComparison.Ordinal));
        }

        await (await _app.Client.SendAsync(request)).ErrorAsync(401, "COMX_UNAUTHENTICATED");
        Assert.Null((await Directory.GetOrgAsync(org.OrgId))!.Billing.StripeCustomerId);
    }

    [Fact]
    public async Task SignatureFromTheOfficialStripePackage_Verifies()
    {
        var org = await TestOrg.CreateAsync(_app);
        var customer = Id("cus");
        var body = Checkout(org.OrgId, customer, Id("sub"), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var (exit, output, error) = await Node.RunAsync("tools/sign-stripe.mjs", TestClerk.StripeSecret,
            DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(body)));
        Assert.True(exit == 0, error);

        var request = TestApp.Request(HttpMethod.Post, "/api/webhooks/stripe", TestApp.RawJson(body), TestSettings.NewIp());
        request.Headers.Add("Stripe-Signature", output.Trim());
        await (await _app.Client.SendAsync(request)).JsonAsync(200);
        Assert.Equal(customer, (await Directory.GetOrgAsync(org.OrgId))!.Billing.StripeCustomerId);
    }

    [Fact]
    public void PlanCheck_GivesReasons()
    {
        var now = DateTimeOffset.UtcNow;
        var trial = new BillingState(Plan.Trial, "trialing", now.AddDays(1), null, null);
        Assert.Null(PlanCatalog.Check(trial, PlanLimit.Sources, 0, now));
        var limit = PlanCatalog.Check(trial, PlanLimit.Sources, PlanCatalog.Limit(Plan.Trial, PlanLimit.Sources), now)!;
        Assert.Equal(ErrorCode.Forbidden, limit.Code);
        Assert.Equal("plan_limit", limit.Details!["reason"]);
        Assert.Equal(10L, limit.Details["limit"]);
        Assert.Equal("trial_expired", PlanCatalog.Check(trial with { TrialEndsAt = now.AddSeconds(-1) }, PlanLimit.Sources, 0, now)!.Details!["reason"]);
        Assert.Equal("subscription_inactive", PlanCatalog.Check(new BillingState(Plan.Pro, "unpaid", null, "cus", "sub"), PlanLimit.Sources, 0, now)!.Details!["reason"]);
        Assert.Null(PlanCatalog.Check(new BillingState(Plan.Pro, "past_due", null, "cus", "sub"), PlanLimit.Sources, 0, now));
    }
}
