using Comx.Core.Chat;

namespace Comx.Tests.Chat;

public sealed class ConversationIntentTests
{
    [Theory]
    [InlineData("hi", ConversationIntent.Greeting)]
    [InlineData("Good morning!", ConversationIntent.Greeting)]
    [InlineData("hello, how are you?", ConversationIntent.Greeting)]
    [InlineData("thanks!", ConversationIntent.Thanks)]
    [InlineData("ok thank you for your help", ConversationIntent.Thanks)]
    [InlineData("cheers", ConversationIntent.Thanks)]
    [InlineData("bye", ConversationIntent.Goodbye)]
    [InlineData("Have a nice day", ConversationIntent.Goodbye)]
    [InlineData("can I talk to a real person", ConversationIntent.AskForPerson)]
    [InlineData("I’d like to speak to someone please", ConversationIntent.AskForPerson)]
    [InlineData("speak to a human", ConversationIntent.AskForPerson)]
    [InlineData("are you a bot?", ConversationIntent.AskForPerson)]
    [InlineData("I want to leave a message", ConversationIntent.LeaveMessage)]
    [InlineData("can I send an enquiry", ConversationIntent.LeaveMessage)]
    public void Pleasantries_AndRequests_AreRecognised(string message, ConversationIntent expected) =>
        Assert.Equal(expected, ConversationIntents.Classify(message));

    [Theory]
    [InlineData("hi, when is the spring half term?")]
    [InlineData("Who is the office manager?")]
    [InlineData("How do I talk to my child about online safety?")]
    [InlineData("thanks, and what time does school start?")]
    [InlineData("Can staff give my child medicine?")]
    [InlineData("How do I leave my child at breakfast club?")]
    public void Questions_AreNotConversation(string message) =>
        Assert.Equal(ConversationIntent.None, ConversationIntents.Classify(message));
}
