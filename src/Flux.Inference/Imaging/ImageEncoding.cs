using System.Text.Encodings.Web;
using System.Text.Json;
using System.Xml.Linq;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.Metadata.Profiles.Xmp;
using SixLabors.ImageSharp.PixelFormats;

namespace Flux.Inference.Imaging;

/// <summary>
/// RGB bytes -> an image file in the requested <see cref="ImageFormat"/>, with the generation parameters inside:
/// PNG through our own encoder (text chunks, byte-identical across machines), JPEG and WebP through ImageSharp with
/// the parameters as a JSON object in the EXIF UserComment and in the XMP packet's exif:UserComment (the two places
/// viewers and exiftool read). Encodes our own pixels only: nothing here decodes untrusted input.
/// </summary>
public static class ImageEncoding
{
    private static readonly JsonSerializerOptions ParameterJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly XNamespace Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    private static readonly XNamespace Exif = "http://ns.adobe.com/exif/1.0/";
    private static readonly XNamespace XmpMeta = "adobe:ns:meta/";

    /// <summary>
    /// Encodes (H, W, 3) bytes. <paramref name="quality"/> (1 to 100, default <see cref="ImageFormats.DefaultQuality"/>)
    /// applies to JPEG and WebP; giving one for PNG is an error, as is a keyword PNG cannot hold.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> rgb, int width, int height, IReadOnlyList<KeyValuePair<string, string>> parameters, ImageFormat format, int? quality = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (ImageFormats.QualityProblem(format, quality) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(quality), quality, problem);
        }

        return format switch
        {
            ImageFormat.Png => PngEncoding.Encode(rgb, width, height, parameters),
            ImageFormat.Jpeg => EncodeWithImageSharp(rgb, width, height, parameters, new JpegEncoder
            {
                Quality = quality ?? ImageFormats.DefaultQuality,
                ColorType = JpegColorType.YCbCrRatio420,
            }),
            ImageFormat.Webp => EncodeWithImageSharp(rgb, width, height, parameters, new WebpEncoder
            {
                Quality = quality ?? ImageFormats.DefaultQuality,
                FileFormat = WebpFileFormatType.Lossy,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, $"format {format} is not one of {ImageFormats.AllowedNames}"),
        };
    }

    /// <summary>The parameters as the one-line JSON object stored in JPEG and WebP metadata: {"prompt":"...","seed":"7",...}.</summary>
    public static string ParametersJson(IEnumerable<KeyValuePair<string, string>> parameters) =>
        JsonSerializer.Serialize(parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), ParameterJson);

    private static byte[] EncodeWithImageSharp(ReadOnlySpan<byte> rgb, int width, int height, IReadOnlyList<KeyValuePair<string, string>> parameters, IImageEncoder encoder)
    {
        long pixels = (long)width * height * 3;
        if (width <= 0 || height <= 0 || rgb.Length != pixels)
        {
            throw new ArgumentException($"{rgb.Length} bytes are not a {width}x{height} RGB image ({pixels} bytes)", nameof(rgb));
        }

        string json = ParametersJson(parameters);
        using var image = Image.LoadPixelData<Rgb24>(rgb, width, height);
        var exif = new ExifProfile();
        exif.SetValue(ExifTag.UserComment, new EncodedString(EncodedString.CharacterCode.Unicode, json));
        image.Metadata.ExifProfile = exif;
        image.Metadata.XmpProfile = new XmpProfile(XmpPacket(json));
        using var output = new MemoryStream();
        image.Save(output, encoder);
        return output.ToArray();
    }

    /// <summary>An XMP packet (XMP specification part 1, 7.3) holding <paramref name="comment"/> as exif:UserComment.</summary>
    private static byte[] XmpPacket(string comment)
    {
        var document = new XDocument(
            new XProcessingInstruction("xpacket", "begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\""),
            new XElement(XmpMeta + "xmpmeta", new XAttribute(XNamespace.Xmlns + "x", XmpMeta.NamespaceName),
                new XElement(Rdf + "RDF", new XAttribute(XNamespace.Xmlns + "rdf", Rdf.NamespaceName),
                    new XElement(Rdf + "Description", new XAttribute(Rdf + "about", ""), new XAttribute(XNamespace.Xmlns + "exif", Exif.NamespaceName),
                        new XElement(Exif + "UserComment",
                            new XElement(Rdf + "Alt",
                                new XElement(Rdf + "li", new XAttribute(XNamespace.Xml + "lang", "x-default"), comment)))))),
            new XProcessingInstruction("xpacket", "end=\"w\""));
        using var buffer = new MemoryStream();
        using (var writer = System.Xml.XmlWriter.Create(buffer, new System.Xml.XmlWriterSettings { OmitXmlDeclaration = true, Encoding = new System.Text.UTF8Encoding(false) }))
        {
            document.Save(writer);
        }

        return buffer.ToArray();
    }
}
