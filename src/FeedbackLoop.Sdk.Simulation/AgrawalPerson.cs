namespace FeedbackLoop.Simulation;

/// <summary>One person's exact attributes in the <see cref="AgrawalStream"/>, as its classification functions read them.</summary>
/// <param name="Salary">Salary, in [20,000, 150,000].</param>
/// <param name="Commission">Commission: 0 from a salary of 75,000, otherwise in [10,000, 75,000].</param>
/// <param name="Age">Age, 20..80.</param>
/// <param name="EducationLevel">Education level, 0..4.</param>
/// <param name="Car">Make of car, 1..20.</param>
/// <param name="ZipCode">Zip code, 0..8.</param>
/// <param name="HouseValue">House value, in [0.5 k, 1.5 k] × 100,000 with k = 9 − zip code.</param>
/// <param name="HouseYears">Years the house has been owned, 1..30.</param>
/// <param name="Loan">Total loan, in [0, 500,000].</param>
public readonly record struct AgrawalPerson(
    double Salary, double Commission, int Age, int EducationLevel, int Car, int ZipCode, double HouseValue, int HouseYears, double Loan);
