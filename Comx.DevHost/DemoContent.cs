namespace Comx.DevHost;

/// <summary>The demo school's sample text source: Markdown headings make each topic its own section.</summary>
internal static class DemoContent
{
    public const string Handbook = """
        # Hillside Primary School parent handbook

        Welcome to Hillside Primary School, a friendly community primary school for children aged 4 to 11 on Hillside Road.
        This handbook answers the questions parents ask us most often.

        ## Term dates 2026-27

        Autumn term starts on Wednesday 2 September 2026 and ends on Friday 18 December 2026. Half term is Monday 26 October to Friday 30 October.

        Spring term starts on Monday 4 January 2027 and ends on Friday 26 March 2027. Half term is Monday 15 February to Friday 19 February.

        Summer term starts on Monday 12 April 2027 and ends on Wednesday 21 July 2027. Half term is Monday 31 May to Friday 4 June.

        Inset (staff training) days, when the school is closed to pupils: 1 September 2026, 4 January 2027 and 22 July 2027.

        ## The school day

        The gates open at 8:40am and the school day starts at 8:50am. Reception and Key Stage 1 finish at 3:15pm; Key Stage 2 finishes at 3:20pm.
        If your child will be absent, please phone the school office before 9:30am on the first day of absence.

        ## Uniform

        Our uniform is a royal blue sweatshirt or cardigan with the school logo, a white polo shirt, and grey trousers, shorts, skirt or pinafore.
        In summer children may wear a blue and white checked dress. Shoes should be black and sensible; no trainers in class.
        For PE, children need a white T-shirt, black shorts and plimsolls or trainers, in a named PE bag kept on their peg.
        Uniform with the logo can be ordered online from Smartwear; plain items can be bought from any supermarket. Our PTA runs a second-hand uniform sale each half term.
        Please label every item of clothing with your child's name.

        ## School lunches

        Hot school lunches are cooked on site every day and cost £2.60 a day, paid in advance through ParentPay.
        All children in Reception, Year 1 and Year 2 receive free school meals under the universal infant free school meals scheme.
        Older children may be entitled to free school meals; apply through the council's website or ask the school office for help.
        Packed lunches from home are welcome. We are a nut-free school, so please do not send nuts or foods containing nuts.
        Tell the office about any food allergy or special diet, and our kitchen will plan safe meals with you.

        ## Breakfast and after-school clubs

        Breakfast club runs from 7:45am every school day in the hall and costs £4 a session, including breakfast.
        After-school club runs until 6pm every school day and costs £12 a session, including a snack. Book sessions through ParentPay by the Thursday of the week before.
        Free after-school activity clubs change each term and include football, netball, choir, coding club, art club and gardening club. Sign-up letters go home in the first week of each term.

        ## Contacting the school

        School office: 01234 567890, open 8:15am to 4:30pm on school days. Email: office@hillside-primary.example.
        Headteacher: Mrs Sarah Okafor. Deputy headteacher and designated safeguarding lead: Mr James Patel.
        Special educational needs coordinator (SENCo): Ms Priya Shah, senco@hillside-primary.example.
        To speak to your child's class teacher, catch them at the classroom door at the end of the day or email the office to arrange a meeting.
        """;
}
