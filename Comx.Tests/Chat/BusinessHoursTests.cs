using Comx.Core.Identity;
using Comx.Core.Widget;

namespace Comx.Tests.Chat;

public sealed class BusinessHoursTests
{
    private static readonly BusinessHours SchoolWeek = new("Europe/London", new Dictionary<string, IReadOnlyList<IReadOnlyList<string>>>
    {
        ["mon"] = [["08:30", "16:00"]],
        ["tue"] = [["08:30", "16:00"]],
        ["wed"] = [["08:30", "16:00"]],
        ["thu"] = [["08:30", "16:00"]],
        ["fri"] = [["08:30", "12:00"], ["13:00", "15:30"]],
    });

    [Theory]
    // Winter (GMT): Thursday 3 December 2026.
    [InlineData("2026-12-03T07:00:00Z", null, "today at 08:30", "2026-12-03T08:30:00Z")]
    [InlineData("2026-12-03T10:00:00Z", "open", null, null)]
    [InlineData("2026-12-03T16:00:00Z", null, "tomorrow at 08:30", "2026-12-04T08:30:00Z")]
    // Friday lunch, then Friday after school: back on Monday.
    [InlineData("2026-12-04T12:30:00Z", null, "today at 13:00", "2026-12-04T13:00:00Z")]
    [InlineData("2026-12-04T17:00:00Z", null, "on Monday 7 December at 08:30", "2026-12-07T08:30:00Z")]
    // Summer (BST, UTC+1): 07:00 UTC on Wednesday 1 July is 08:00 in London.
    [InlineData("2026-07-01T07:00:00Z", null, "today at 08:30", "2026-07-01T07:30:00Z")]
    [InlineData("2026-07-01T07:45:00Z", "open", null, null)]
    public void At_SaysWhetherStaffAreInAndWhenTheyAreBack_InTheOrgsTimeZone(string now, string? open, string? text, string? next)
    {
        var availability = SchoolWeek.At(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(open is not null, availability.Available);
        Assert.Equal(text, availability.NextOpeningText);
        Assert.Equal(next is null ? null : DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture), availability.NextOpening);
    }

    [Fact]
    public void NoDays_IsNeverOpen_AndTheMessageStillOffersTheEnquiryForm()
    {
        var closed = new BusinessHours("Europe/London", new Dictionary<string, IReadOnlyList<IReadOnlyList<string>>>());
        Assert.Equal(new StaffAvailability(false, null, null), closed.At(DateTimeOffset.UnixEpoch));
        var message = AwayMessages.Compose(closed, null, DateTimeOffset.UnixEpoch);
        Assert.Equal($"{AwayMessages.DefaultAway} {AwayMessages.EnquiryOffer}", message);
        Assert.Null(AwayMessages.Compose(null, "ignored", DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void OpeningInTheSpringForwardGap_IsWhenTheWallClockReachesIt()
    {
        // 29 March 2026: London clocks go from 01:00 GMT to 02:00 BST; 01:30 does not exist that day.
        var sunday = new BusinessHours("Europe/London", new Dictionary<string, IReadOnlyList<IReadOnlyList<string>>> { ["sun"] = [["01:30", "05:00"]] });
        var availability = sunday.At(DateTimeOffset.Parse("2026-03-29T00:10:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(availability.Available);
        Assert.Equal(DateTimeOffset.Parse("2026-03-29T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture), availability.NextOpening);
    }
}
